"""Writes prometheusrule.yaml (Prometheus Operator) from deploy/prometheus/alerts.yml.

Run `python3 deploy/k8s/prometheusrule.py` (needs PyYAML) after changing alerts.yml.
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HEADER = """\
# GENERATED from deploy/prometheus/alerts.yml by deploy/k8s/prometheusrule.py: edit alerts.yml
# and run the script again. For clusters with the Prometheus Operator (needs its CRDs):
#   kubectl apply -n shelterbeds -f deploy/k8s/prometheusrule.yaml
"""


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the PromQL expressions) as literal blocks, as in alerts.yml."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def main() -> None:
    rules = yaml.safe_load((HERE.parent / "prometheus" / "alerts.yml").read_text())
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "shelterbeds", "labels": {"app.kubernetes.io/part-of": "shelterbeds"}},
        "spec": {"groups": rules["groups"]},
    }
    text = yaml.dump(resource, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True)
    (HERE / "prometheusrule.yaml").write_text(HEADER + text)


if __name__ == "__main__":
    main()
