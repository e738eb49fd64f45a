"""The real DataJoint for Python's Diagram.make_mermaid() on a dependency graph given as JSON
on stdin (nodes with their primary keys, foreign keys with their attribute maps), printed
on stdout. No database: the graph is built as dependencies.py builds it (one edge per foreign
key with primary / aliased / multi), the diagram's class-name lookup answers from the JSON,
and the connection gives only the direction and the MySQL adapter's name splitting.
Used by diagram-mermaid.test.ts to compare our Mermaid with it."""
import json, sys, types
import networkx as nx
import datajoint.diagram as ddiag
from datajoint.adapters.mysql import MySQLAdapter
spec = json.load(sys.stdin)
names = {}
G = nx.MultiDiGraph()
for n in spec["nodes"]:
    full = "`%s`.`%s`" % (n["schema"], n["table"])
    names[full] = n["name"]
    G.add_node(full, primary_key=set(n["pk"]))
for e in spec["edges"]:
    p = "`%s`.`%s`" % tuple(e["parent"]); c = "`%s`.`%s`" % tuple(e["child"])
    pk = G.nodes[c]["primary_key"]
    G.add_edge(p, c, key=tuple(e["attr_map"]), primary=set(e["attr_map"]) <= pk, attr_map=e["attr_map"],
               aliased=any(k != v for k, v in e["attr_map"].items()), multi=set(e["attr_map"]) != pk)
ddiag.lookup_class_name = lambda name, context, depth=3: names.get(name)
d = ddiag.Diagram.__new__(ddiag.Diagram)
nx.MultiDiGraph.__init__(d, G)
d.nodes_to_show = set(G.nodes()); d._expanded_nodes = set(G.nodes()); d.context = {}
adapter = MySQLAdapter.__new__(MySQLAdapter)
d._connection = types.SimpleNamespace(_config=types.SimpleNamespace(display=types.SimpleNamespace(diagram_direction="TB")), adapter=adapter)
print(d.make_mermaid())
