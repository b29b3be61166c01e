/* cmd_fmt.c: `cjm fmt FILE...`: print, check or rewrite journeys in the one canonical layout
 * (lang/fmt.c). Each file is read on its own: imports are not followed and names are not
 * resolved, so a file with unknown names can still be formatted; one with syntax errors cannot. */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "cjm.h"
#include "cli.h"
#include "output.h"

typedef struct FmtOptions {
    bool write;   /* -w: rewrite files in place */
    bool check;   /* --check: list files that are not formatted */
    ColorMode color;
} FmtOptions;

/* Replaces the file at `path` with `out` atomically, through a symbolic link to its target
 * (output_write follows it), and with the file's permissions kept. */
static int rewrite(const char *path, const Buf *out)
{
    struct stat st;
    bool had_mode = stat(path, &st) == 0;
    const char *what;
    int err = output_write(path, out->data, out->len, &what);
    if (!err && had_mode) chmod(path, st.st_mode & 07777);
    if (err) {
        output_report_error("fmt", path, err, what);
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* Formats one file; returns its exit status. */
static int fmt_one(const char *path, const FmtOptions *o)
{
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *text;
    size_t len;
    int err;
    ReadStatus r = source_read_file(path, &text, &len, &err);
    if (r != READ_OK) {
        const char *why = r == READ_IS_DIR ? "it is a folder" : r == READ_TOO_BIG ? "it is larger than 64 MiB" : strerror(err);
        fprintf(stderr, "cjm fmt: cannot read '%s': %s\n", name, why);
        return EXIT_IO;
    }
    SourceSet set;
    source_set_init(&set);
    uint32_t file = source_set_add(&set, path, name, text, len);
    if (!file) {
        source_set_free(&set);
        fprintf(stderr, "cjm fmt: out of memory while reading '%s'\n", name);
        return EXIT_IO;
    }
    Diag diag;
    diag_init(&diag, &set, stderr, cli_use_color(o->color, stderr));
    Buf out = BUF_FALLIBLE;
    FmtStatus st = fmt_source(&diag, file, &out);
    int status = EXIT_OK;
    const SourceFile *src = source_get(&set, file);
    bool changed = st == FMT_OK && (out.len != src->len || memcmp(buf_str(&out), src->text, out.len) != 0);
    if (st == FMT_SYNTAX) {
        diag_print_summary(&diag);
        fprintf(stderr, "cjm fmt: '%s' is left as it is: fix its syntax errors first\n", name);
        status = EXIT_JOURNEY;
    } else if (st == FMT_OUT_OF_MEMORY) {
        status = EXIT_IO; /* the Diag said so; the file is left as it is */
    } else if (st == FMT_INTERNAL) {
        fprintf(stderr, "cjm fmt: internal error: formatting '%s' would change its tokens; it is left as it is "
                        "(please report this with the file)\n", name);
        status = EXIT_IO;
    } else {
        if (o->check && changed) {
            printf("%s\n", name);
            status = EXIT_JOURNEY;
        }
        if (o->write && changed) {
            status = rewrite(path, &out);
        } else if (!o->write && !o->check) {
            fwrite(buf_str(&out), 1, out.len, stdout);
        }
    }
    buf_free(&out);
    diag_free(&diag);
    source_set_free(&set);
    return status;
}

int cmd_fmt(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"write", no_argument, NULL, 'w'},
        {"check", no_argument, NULL, 'c'},
        {"color", optional_argument, NULL, 'C'},
        {"colour", optional_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    FmtOptions o = {false, false, cli_global_color};
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "wh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w': o.write = true; break;
        case 'c': o.check = true; break;
        case 'C':
            if (!cli_parse_color(optarg, &o.color))
                return cli_usage_error("fmt", "--color must be auto, always or never, not '%s'", optarg);
            break;
        case 'h': return cli_show_help("fmt");
        default: return cli_usage_error("fmt", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("fmt", "no file to format (give one or more .journey files, or - for standard input)");
    for (int i = optind; i < argc; i++)
        if (o.write && strcmp(argv[i], "-") == 0)
            return cli_usage_error("fmt", "-w cannot rewrite standard input");
    int status = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int s = fmt_one(argv[i], &o);
        /* The worst outcome wins: a failure (3) over unformatted or broken files (1). */
        if (s == EXIT_IO || (s == EXIT_JOURNEY && status == EXIT_OK)) status = s;
    }
    fflush(stdout);
    if (ferror(stdout)) {
        fprintf(stderr, "cjm fmt: cannot write the result: output error\n");
        return EXIT_IO;
    }
    return status;
}
