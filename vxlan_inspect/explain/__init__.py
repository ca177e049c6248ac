"""Explain how a ping crossed a VXLAN overlay, hop by hop with evidence, or why it did not.

>>> from vxlan_inspect.explain import explain_bundle
>>> # explanation = explain_bundle("captures/bundles/healthy-ping")
>>> # explanation.primary.code -> "delivered"

The model (:mod:`~vxlan_inspect.explain.model`) is data; renderers live in
:mod:`vxlan_inspect.render.trace`; the JSON schema is :func:`explanation_to_json`.
"""

from vxlan_inspect.explain.engine import explain_bundle, explain_inputs
from vxlan_inspect.explain.inputs import Inputs, load_bundle, load_explicit
from vxlan_inspect.explain.model import VERDICTS, Evidence, Explanation, Flow, Location, Step, Trace, Unknown, Verdict
from vxlan_inspect.explain.schema import explanation_to_json

__all__ = [
    "VERDICTS", "Evidence", "Explanation", "Flow", "Inputs", "Location", "Step", "Trace", "Unknown", "Verdict",
    "explain_bundle", "explain_inputs", "explanation_to_json", "load_bundle", "load_explicit",
]
