"""Graph: clusters + credits -> likely origins, the provenance graph, and its exports."""

from provenance.graph.build import build_graph, node_id
from provenance.graph.export import write_gexf, write_graphml
from provenance.graph.origins import infer_origin, infer_origins, news_origins

__all__ = [
    "build_graph",
    "node_id",
    "infer_origin",
    "infer_origins",
    "news_origins",
    "write_graphml",
    "write_gexf",
]
