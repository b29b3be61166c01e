/* viz.h: the one module that calls Graphviz (libcgraph to build a graph, libgvc to lay it out and
 * render it). Graphviz 2.42/2.43 is not thread-safe, even with separate contexts: every call goes
 * through here, from the main thread only. Its functions take non-const strings, which stay inside
 * this module.
 *
 * Ownership: a VizGraph owns its Graphviz graph; viz_free() closes it. Rendered bytes are
 * malloc'd and belong to the caller. */
#ifndef CJM_VIZ_H
#define CJM_VIZ_H

#include <stdbool.h>
#include <stddef.h>

typedef struct VizGraph VizGraph;
typedef struct VizNode VizNode; /* opaque handles into the graph */
typedef struct VizEdge VizEdge;

VizGraph *viz_new(const char *name);
void viz_free(VizGraph *g);

/* Default attributes for the graph itself, all nodes, or all edges. */
void viz_graph_attr(VizGraph *g, const char *key, const char *value);
void viz_node_default(VizGraph *g, const char *key, const char *value);
void viz_edge_default(VizGraph *g, const char *key, const char *value);

/* Nodes are found or made by id. A cluster subgraph (name starting "cluster") groups nodes. */
VizNode *viz_node(VizGraph *g, const char *id);
VizNode *viz_node_in(VizGraph *g, const char *cluster, const char *id);
void viz_cluster_attr(VizGraph *g, const char *cluster, const char *key, const char *value);
void viz_node_attr(VizNode *n, const char *key, const char *value);
/* An HTML-like label (the text between the outer < >, already escaped with viz_escape). */
void viz_node_html(VizNode *n, const char *html);
VizEdge *viz_edge(VizGraph *g, VizNode *tail, VizNode *head);
void viz_edge_attr(VizEdge *e, const char *key, const char *value);
void viz_edge_html(VizEdge *e, const char *key, const char *html);

/* Escapes text for an HTML-like label (& < > " and control characters). */
char *viz_escape(const char *text);

/* Renders in `format` (svg, png, pdf, dot), laid out by dot, or by the engine the graph's
 * `layout` attribute names ("nop2" keeps the positions its nodes' `pos` give). The dot format is
 * the graph's source, without layout, so that it is stable. Returns false with a message in *error (malloc'd) when Graphviz cannot
 * lay out or render (a renderer plugin that is missing, say). */
bool viz_render(VizGraph *g, const char *format, char **data, size_t *len, char **error);

#endif
