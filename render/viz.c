/* viz.c: the Graphviz wrapper (see viz.h). Nothing else in cjm includes Graphviz headers. */
#include "viz.h"

#include <gvc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"

struct VizGraph {
    Agraph_t *g;
};

/* One Graphviz context for the whole process, made on first use and freed at exit. Graphviz
 * 2.42's pango plugin keeps a pointer into the font cache of the first context it served: after
 * gvFreeContext() a second context reads freed memory (seen under valgrind when one process draws
 * twice, as a report with two pictures does). Graphviz runs on one thread only, so a static is
 * safe here. */
static GVC_t *shared_context;

static void free_context(void)
{
    if (shared_context) gvFreeContext(shared_context);
    shared_context = NULL;
}

static GVC_t *context(void)
{
    if (!shared_context) {
        shared_context = gvContext();
        if (!shared_context) die_out_of_memory();
        atexit(free_context);
    }
    return shared_context;
}

/* Graphviz declares char * for names and values it only reads: the cast stays in this file. */
static char *w(const char *s) { return (char *)s; }

VizGraph *viz_new(const char *name)
{
    VizGraph *v = xcalloc(1, sizeof *v);
    v->g = agopen(w(name), Agdirected, NULL);
    if (!v->g) die_out_of_memory();
    return v;
}

void viz_free(VizGraph *v)
{
    if (!v) return;
    agclose(v->g);
    free(v);
}

void viz_graph_attr(VizGraph *v, const char *key, const char *value) { agattr(v->g, AGRAPH, w(key), w(value)); }
void viz_node_default(VizGraph *v, const char *key, const char *value) { agattr(v->g, AGNODE, w(key), w(value)); }
void viz_edge_default(VizGraph *v, const char *key, const char *value) { agattr(v->g, AGEDGE, w(key), w(value)); }

VizNode *viz_node(VizGraph *v, const char *id) { return (VizNode *)agnode(v->g, w(id), 1); }

VizNode *viz_node_in(VizGraph *v, const char *cluster, const char *id)
{
    Agraph_t *sub = agsubg(v->g, w(cluster), 1);
    Agnode_t *n = agnode(v->g, w(id), 1);
    agsubnode(sub, n, 1);
    return (VizNode *)n;
}

void viz_cluster_attr(VizGraph *v, const char *cluster, const char *key, const char *value)
{
    Agraph_t *sub = agsubg(v->g, w(cluster), 1);
    agsafeset(sub, w(key), w(value), w(""));
}

void viz_node_attr(VizNode *n, const char *key, const char *value) { agsafeset(n, w(key), w(value), w("")); }

/* Length of an empty inline element at p ("<font point-size=\"9\"></font>", "<b></b>", "<i></i>",
 * "<u></u>"), or 0. */
static size_t empty_element(const char *p)
{
    static const char *const names[] = {"font", "b", "i", "u"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t n = strlen(names[k]);
        if (p[0] != '<' || strncmp(p + 1, names[k], n) != 0 || (p[1 + n] != '>' && p[1 + n] != ' ')) continue;
        const char *gt = strchr(p, '>');
        if (!gt) return 0;
        char close[16];
        snprintf(close, sizeof close, "</%s>", names[k]);
        if (strncmp(gt + 1, close, strlen(close)) == 0) return (size_t)(gt + 1 - p) + strlen(close);
    }
    return 0;
}

/* The label without empty inline elements, which Graphviz 2.42's HTML parser refuses ("syntax
 * error ... <font point-size="10"></font>"): a stage whose label is "" made its layout fail. An
 * element emptied by the removal of another goes too. */
static char *without_empty_elements(const char *html)
{
    char *s = xstrdup(html);
    for (bool again = true; again;) {
        again = false;
        char *out = s;
        for (const char *p = s; *p;) {
            size_t n = empty_element(p);
            if (n) {
                p += n;
                again = true;
            } else {
                *out++ = *p++;
            }
        }
        *out = '\0';
    }
    return s;
}

static void set_html(void *obj, const char *key, const char *html)
{
    Agraph_t *g = agraphof(obj);
    char *tidy = without_empty_elements(html);
    char *s = agstrdup_html(g, w(tidy));
    agsafeset(obj, w(key), s, w(""));
    agstrfree(g, s);
    free(tidy);
}

void viz_node_html(VizNode *n, const char *html) { set_html(n, "label", html); }

VizEdge *viz_edge(VizGraph *v, VizNode *tail, VizNode *head)
{
    return (VizEdge *)agedge(v->g, (Agnode_t *)tail, (Agnode_t *)head, NULL, 1);
}

void viz_edge_attr(VizEdge *e, const char *key, const char *value) { agsafeset(e, w(key), w(value), w("")); }
void viz_edge_html(VizEdge *e, const char *key, const char *html) { set_html(e, key, html); }

char *viz_escape(const char *text)
{
    Buf b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '&': buf_puts(&b, "&amp;"); break;
        case '<': buf_puts(&b, "&lt;"); break;
        case '>': buf_puts(&b, "&gt;"); break;
        case '"': buf_puts(&b, "&quot;"); break;
        case '\n': buf_puts(&b, "<br/>"); break;
        default: buf_putc(&b, *p < 0x20 ? ' ' : (char)*p); break;
        }
    }
    return buf_take(&b);
}

/* The dot source, written through a memory stream. */
static bool write_source(Agraph_t *g, char **data, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return false;
    int r = agwrite(g, f);
    fclose(f);
    if (r != 0) {
        free(buf);
        return false;
    }
    *data = buf;
    *len = n;
    return true;
}

/* Graphviz reports problems (a malformed HTML label, say) through a callback; they are kept here
 * for the caller's message. Graphviz runs on one thread only, so one buffer will do. */
static Buf graphviz_errors;

static int keep_error(char *msg)
{
    if (graphviz_errors.len < 2000) buf_puts(&graphviz_errors, msg);
    return 0;
}

/* Graphviz's own words, tidied ("Error: " and a dangling "Use one of:" dropped), with the
 * remedy when no plugin loaded. */
static char *layout_error(const char *said)
{
    Buf msg = BUF_INIT;
    buf_puts(&msg, "Graphviz could not lay out the graph: ");
    if (strncmp(said, "Error: ", 7) == 0) said += 7;
    const char *cut = strstr(said, " Use one of:");
    buf_add(&msg, said, cut ? (size_t)(cut - said) : strlen(said));
    while (msg.len && (msg.data[msg.len - 1] == '\n' || msg.data[msg.len - 1] == ' ')) msg.data[--msg.len] = '\0';
    if (!*said) buf_puts(&msg, "no reason given");
    if (strstr(said, "not recognized") || !*said)
        buf_puts(&msg, " (no Graphviz plugin loaded: install Debian's libgvc6, or run 'dot -c' as root to register the plugins)");
    return buf_take(&msg);
}

/* Lays the graph out with dot, or with the engine its `layout` attribute names (the journey map
 * places its nodes itself: "nop2"); false with *error when Graphviz reported anything. */
static bool lay_out(GVC_t *gvc, Agraph_t *g, char **error)
{
    buf_clear(&graphviz_errors);
    agseterrf(keep_error);
    agseterr(AGERR);
    agreseterrors();
    char *engine = agget(g, w("layout"));
    bool ok = gvLayout(gvc, g, engine && *engine ? engine : w("dot")) == 0 && agerrors() == 0;
    if (!ok) *error = layout_error(buf_str(&graphviz_errors));
    buf_free(&graphviz_errors);
    return ok;
}

bool viz_render(VizGraph *v, const char *format, char **data, size_t *len, char **error)
{
    *data = NULL;
    *len = 0;
    *error = NULL;
    if (strcmp(format, "dot") == 0) {
        if (write_source(v->g, data, len)) return true;
        *error = xstrdup("cannot write the graph's dot source");
        return false;
    }
    GVC_t *gvc = context();
    bool ok = lay_out(gvc, v->g, error);
    if (ok) {
        char *buf = NULL;
        unsigned int n = 0;
        ok = gvRenderData(gvc, v->g, w(format), &buf, &n) == 0 && buf;
        if (ok) {
            *data = xmalloc(n + 1);
            memcpy(*data, buf, n);
            (*data)[n] = '\0';
            *len = n;
        } else {
            Buf msg = BUF_INIT;
            buf_printf(&msg, "Graphviz cannot render %s here: its renderer plugin did not load (Debian's libgvc6 provides svg, png and pdf)", format);
            *error = buf_take(&msg);
        }
        if (buf) gvFreeRenderData(buf);
    }
    gvFreeLayout(gvc, v->g);
    return ok;
}
