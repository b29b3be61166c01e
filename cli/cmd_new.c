/* cmd_new.c: `cjm new [--template NAME] [FILE]`: a starting journey from one of the standard
 * library's templates (stdlib/templates/NAME.journey), with comments that teach the language.
 *
 * A template is an ordinary journey whose title is the placeholder @TITLE@; the list of templates
 * is the folder's content, and each one's summary is its first line ("// NAME: summary"). */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "output.h"

#define DEFAULT_TEMPLATE "5-stage"
#define TITLE_PLACEHOLDER "@TITLE@"

enum { MAX_TEMPLATES = 64 };

static void templates_dir(Buf *b) { buf_printf(b, "%s/templates", program_default_libdir()); }

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The template names (malloc'd, sorted); returns how many, -1 when the folder cannot be read. */
static int template_names(char **names, int max)
{
    Buf dir = BUF_INIT;
    templates_dir(&dir);
    DIR *d = opendir(buf_str(&dir));
    buf_free(&dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name);
        if (len <= 8 || e->d_name[0] == '.' || strcmp(e->d_name + len - 8, ".journey") != 0) continue;
        names[n] = xstrdup(e->d_name);
        names[n++][len - 8] = '\0';
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, compare_names);
    return n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++) free(names[i]);
}

/* Reads template `name`; NULL (after a message) when it cannot. */
static char *read_template(const char *name, size_t *len)
{
    Buf path = BUF_INIT;
    templates_dir(&path);
    buf_printf(&path, "/%s.journey", name);
    char *text;
    int err;
    ReadStatus r = source_read_file(buf_str(&path), &text, len, &err);
    if (r != READ_OK) {
        fprintf(stderr, "cjm new: cannot read the template '%s': %s\n", buf_str(&path),
                r == READ_IS_DIR ? "it is a folder" : r == READ_TOO_BIG ? "it is too large" : strerror(err));
        text = NULL;
    }
    buf_free(&path);
    return text;
}

/* "// saas: a B2B SaaS trial ..." -> "a B2B SaaS trial ..." */
static void print_summary(const char *name, int width)
{
    size_t len;
    char *text = read_template(name, &len);
    if (!text) return;
    const char *line = text, *end = strchr(text, '\n');
    size_t n = end ? (size_t)(end - text) : len;
    const char *colon = memchr(line, ':', n);
    if (strncmp(line, "// ", 3) == 0 && colon && colon + 2 <= line + n) {
        n -= (size_t)(colon + 2 - line);
        line = colon + 2;
    } else {
        n = 0;
    }
    printf("  %-*s %.*s\n", width, name, (int)n, line);
    free(text);
}

static int list_templates(void)
{
    char *names[MAX_TEMPLATES];
    int n = template_names(names, MAX_TEMPLATES);
    if (n < 0) {
        Buf dir = BUF_INIT;
        templates_dir(&dir);
        fprintf(stderr, "cjm new: cannot read the templates folder '%s'\n", buf_str(&dir));
        buf_free(&dir);
        return EXIT_IO;
    }
    int width = 0;
    for (int i = 0; i < n; i++)
        if ((int)strlen(names[i]) > width) width = (int)strlen(names[i]);
    printf("Templates (cjm new --template NAME; the default is %s):\n", DEFAULT_TEMPLATE);
    for (int i = 0; i < n; i++) print_summary(names[i], width);
    free_names(names, n);
    return EXIT_OK;
}

/* An unknown template: say so, with the closest name and the list. */
static int unknown_template(const char *name)
{
    char *names[MAX_TEMPLATES];
    int n = template_names(names, MAX_TEMPLATES);
    const char *best = n > 0 ? diag_closest(name, (const char *const *)names, n) : NULL;
    Buf known = BUF_INIT;
    for (int i = 0; i < n; i++) buf_printf(&known, "%s%s", i ? ", " : "", names[i]);
    int status;
    if (best) status = cli_usage_error("new", "unknown template '%s'; did you mean '%s'? (templates: %s)", name, best, buf_str(&known));
    else status = cli_usage_error("new", "unknown template '%s' (templates: %s)", name, n > 0 ? buf_str(&known) : "none found");
    buf_free(&known);
    free_names(names, n);
    return status;
}

static bool template_exists(const char *name)
{
    if (!*name || strchr(name, '/') || name[0] == '.') return false;
    Buf path = BUF_INIT;
    templates_dir(&path);
    buf_printf(&path, "/%s.journey", name);
    struct stat st;
    bool ok = stat(buf_str(&path), &st) == 0 && S_ISREG(st.st_mode);
    buf_free(&path);
    return ok;
}

/* Whether `path` is template `name`'s own file (the same device and inode, however it is spelled):
 * writing it, with --force, would replace the template with a copy of itself filled in. */
static bool is_the_template(const char *path, const char *name)
{
    Buf file = BUF_INIT;
    templates_dir(&file);
    buf_printf(&file, "/%s.journey", name);
    struct stat a, b;
    bool same = stat(path, &a) == 0 && stat(buf_str(&file), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    buf_free(&file);
    return same;
}

/* "coffee-shop.journey" -> "Coffee shop". */
static void title_from_file(const char *file, Buf *title)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 8 && strcmp(base + n - 8, ".journey") == 0) n -= 8;
    for (size_t i = 0; i < n; i++) {
        char c = base[i] == '-' || base[i] == '_' ? ' ' : base[i];
        if (i == 0 && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        buf_putc(title, c);
    }
    if (title->len == 0) buf_puts(title, "My journey");
}

/* The template with every @TITLE@ replaced by the title, escaped for a string literal. */
static void fill_template(const char *text, size_t len, const char *title, Buf *out)
{
    size_t plen = strlen(TITLE_PLACEHOLDER);
    for (size_t i = 0; i < len;) {
        if (len - i >= plen && memcmp(text + i, TITLE_PLACEHOLDER, plen) == 0) {
            for (const char *t = title; *t; t++) {
                unsigned char c = (unsigned char)*t;
                if (c == '"' || c == '\\') buf_putc(out, '\\');
                if (c == '\t') buf_puts(out, "\\t");
                else if (c >= 0x20 && c != 0x7f) buf_putc(out, (char)c);
            }
            i += plen;
        } else {
            buf_putc(out, text[i++]);
        }
    }
}

typedef struct NewOptions {
    const char *template;
    const char *title;
    bool force;
} NewOptions;

static int write_journey(const NewOptions *o, const char *file)
{
    size_t len;
    char *text = read_template(o->template, &len);
    if (!text) return EXIT_IO;
    Buf title = BUF_INIT, out = BUF_INIT, path = BUF_INIT;
    bool to_stdout = !file || strcmp(file, "-") == 0;
    if (o->title) buf_puts(&title, o->title);
    else title_from_file(to_stdout ? "" : file, &title);
    fill_template(text, len, buf_str(&title), &out);
    free(text);
    int status = EXIT_OK;
    if (!to_stdout) {
        buf_puts(&path, file);
        size_t n = strlen(file);
        if (n < 8 || strcmp(file + n - 8, ".journey") != 0) buf_puts(&path, ".journey");
    }
    struct stat st;
    if (!to_stdout && is_the_template(buf_str(&path), o->template)) {
        status = cli_usage_error("new", "'%s' is the template being read (%s); choose another file", buf_str(&path),
                                 o->template);
    } else if (!to_stdout && !o->force && stat(buf_str(&path), &st) == 0) {
        fprintf(stderr, "cjm new: '%s' already exists (--force overwrites it)\n", buf_str(&path));
        status = EXIT_IO;
    } else {
        const char *what;
        int err = output_write(to_stdout ? NULL : buf_str(&path), out.data, out.len, &what);
        if (err) {
            output_report_error("new", to_stdout ? NULL : buf_str(&path), err, what);
            status = EXIT_IO;
        } else if (!to_stdout) {
            printf("created %s from the template %s\nnext: cjm check %s && cjm run %s\n", buf_str(&path), o->template,
                   buf_str(&path), buf_str(&path));
        }
    }
    buf_free(&title);
    buf_free(&out);
    buf_free(&path);
    return status;
}

int cmd_new(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"template", required_argument, NULL, 't'},
        {"title", required_argument, NULL, 'T'},
        {"list", no_argument, NULL, 'l'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    NewOptions o = {DEFAULT_TEMPLATE, NULL, false};
    bool list = false;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":t:lfh", longopts, NULL)) != -1) {
        switch (opt) {
        case 't': o.template = optarg; break;
        case 'T': o.title = optarg; break;
        case 'l': list = true; break;
        case 'f': o.force = true; break;
        case 'h': return cli_show_help("new");
        case ':': return cli_usage_error("new", "option '%s' needs a value", argv[optind - 1]);
        default: return cli_usage_error("new", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (list) return list_templates();
    if (argc - optind > 1) return cli_usage_error("new", "give one file name at most");
    if (!template_exists(o.template)) return unknown_template(o.template);
    int status = write_journey(&o, optind < argc ? argv[optind] : NULL);
    fflush(stdout);
    if (ferror(stdout)) {
        fprintf(stderr, "cjm new: cannot write the result: output error\n");
        return EXIT_IO;
    }
    return status;
}
