"""Renderers: packets to tcpdump text (``render.tcpdump``); traces and tables elsewhere."""
