"""graph-contracts: contract tests for Microsoft Graph PATCH endpoints, generated from the docs.

Pipeline: docs -> extract -> contracts -> (openapi | strategies) -> client (live | mock) -> checks
-> reports. Each stage is one module of this package.
"""

from graph_contracts.contracts import Contract, Finding, Property, TypeDef

__all__ = ["Contract", "Finding", "Property", "TypeDef"]
__version__ = "0.1.0"
