/* test_fmt.c: unit tests of the formatter (lang/fmt.c) and of the comments the lexer keeps for
 * it, through the API `cjm fmt` uses. The layout of whole files is tested by tests/fmt/. */
#include <stdlib.h>
#include <string.h>

#include "cjm.h"
#include "unit.h"

void unit_fmt(void);

/* Formats `text`; the result (or "") in *out, diagnostics discarded. */
static FmtStatus format(const char *text, size_t len, Buf *out)
{
    SourceSet set;
    source_set_init(&set);
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint32_t file = source_set_add(&set, "t.journey", "t.journey", copy, len);
    char *msgs = NULL;
    size_t msgs_len = 0;
    FILE *sink = open_memstream(&msgs, &msgs_len);
    Diag d;
    diag_init(&d, &set, sink, false);
    FmtStatus st = fmt_source(&d, file, out);
    diag_free(&d);
    fclose(sink);
    free(msgs);
    source_set_free(&set);
    return st;
}

static void test_comments(void)
{
    TEST("parse: comments are kept on the module, in order, with their places") {
        const char *text = "// one\nstage A goal { /* two\n three */ -> churn } // four\n";
        Program p;
        program_init(&p, "stdlib", NULL);
        Diag d;
        char *msgs = NULL;
        size_t n = 0;
        FILE *sink = open_memstream(&msgs, &n);
        diag_init(&d, &p.sources, sink, false);
        CHECK(program_load_text(&p, "t.journey", text, strlen(text), &d) == LOAD_OK);
        const Comment *c = p.main->comments;
        CHECK(c && !c->block && c->loc.off == 0 && c->loc.len == 6);
        c = c ? c->next : NULL;
        CHECK(c && c->block && strncmp(text + c->loc.off, "/* two\n three */", c->loc.len) == 0);
        c = c ? c->next : NULL;
        CHECK(c && !c->block && strncmp(text + c->loc.off, "// four", c->loc.len) == 0);
        CHECK(c && !c->next);
        diag_free(&d);
        fclose(sink);
        free(msgs);
        program_free(&p);
    }
}

static void test_layout(void)
{
    TEST("fmt: one item per line, aligned arrows, signs and calls glued") {
        const char *in = "stage A \"x\" goal {wait exponential( 3 days )\n"
                         "-> B 30%+20%*mood -> churn otherwise \"r\"}\nstage B{}\n";
        Buf out = BUF_INIT;
        CHECK(format(in, strlen(in), &out) == FMT_OK);
        CHECK_STR(buf_str(&out), "stage A \"x\" goal {\n"
                                 "  wait exponential(3 days)\n"
                                 "  -> B     30% + 20% * mood\n"
                                 "  -> churn otherwise \"r\"\n"
                                 "}\n"
                                 "stage B {}\n");
        buf_free(&out);
    }
    TEST("fmt: formatting twice changes nothing") {
        const char *in = "/* a */ journey { cohort 5 } // b\n\n\n\npersona P { share 100%\n x = -1 }\n"
                         "rule R\n when x < 0 and\n mood > 0 { mood += 0.1 with 5% }\n";
        Buf once = BUF_INIT, twice = BUF_INIT;
        CHECK(format(in, strlen(in), &once) == FMT_OK);
        CHECK(format(once.data, once.len, &twice) == FMT_OK);
        CHECK_STR(buf_str(&once), buf_str(&twice));
        buf_free(&once);
        buf_free(&twice);
    }
    TEST("fmt: numbers keep their spelling; only blanks inside them change") {
        const char *in = "journey { cohort 1e3 horizon 2\tweeks seed 007 }\nstage A goal { revenue 1.50 -> churn 35 % }\n";
        Buf out = BUF_INIT;
        CHECK(format(in, strlen(in), &out) == FMT_OK);
        CHECK(strstr(buf_str(&out), "cohort 1e3 horizon 2 weeks seed 007") != NULL);
        CHECK(strstr(buf_str(&out), "revenue 1.50 -> churn 35%") != NULL);
        buf_free(&out);
    }
    TEST("fmt: drawn traits, state, memory and amounts as expressions keep their tokens and round-trip") {
        const char *in = "journey { memory 60  days }\npersona P { memory 1 day\nlambda=gamma( 2,3 )\n"
                         "seats = choice( 1 :60% , 5:40% ) }\nstate sent=false\nstate n = seats*2\n"
                         "stage A goal { revenue 29*n wait exponential( 1 week/lambda )\n"
                         "touchpoint T { reach -(0.1)+0.6 cost 2*seats }\n-> A 5%*met( T ) -> churn otherwise }\n"
                         "curve { A 0.1*met_ever(T) }\nrule R when not sent { n+=1 with 5% n -= 1 sent = true }\n";
        Buf once = BUF_INIT, twice = BUF_INIT;
        CHECK(format(in, strlen(in), &once) == FMT_OK);
        CHECK_STR(buf_str(&once), "journey { memory 60 days }\n"
                                  "\n"
                                  "persona P {\n"
                                  "  memory 1 day\n"
                                  "  lambda = gamma(2, 3)\n"
                                  "  seats  = choice(1: 60%, 5: 40%)\n"
                                  "}\n"
                                  "\n"
                                  "state sent = false\n"
                                  "state n    = seats * 2\n"
                                  "\n"
                                  "stage A goal {\n"
                                  "  revenue 29 * n\n"
                                  "  wait exponential(1 week / lambda)\n"
                                  "  touchpoint T { reach -(0.1) + 0.6 cost 2 * seats }\n"
                                  "  -> A     5% * met(T)\n"
                                  "  -> churn otherwise\n"
                                  "}\n"
                                  "\n"
                                  "curve { A 0.1 * met_ever(T) }\n"
                                  "\n"
                                  "rule R when not sent { n += 1 with 5% n -= 1 sent = true }\n");
        CHECK(format(once.data, once.len, &twice) == FMT_OK);
        CHECK_STR(buf_str(&once), buf_str(&twice));
        buf_free(&once);
        buf_free(&twice);
    }
    TEST("fmt: an empty file, and one with comments only") {
        Buf out = BUF_INIT;
        CHECK(format("", 0, &out) == FMT_OK && out.len == 0);
        CHECK(format("\n\n  // c  \r\n", 10, &out) == FMT_OK);
        CHECK_STR(buf_str(&out), "// c\n");
        buf_free(&out);
    }
}

static void test_refusals(void)
{
    TEST("fmt: syntax errors, binary files and NUL bytes are refused, nothing produced") {
        static const char *const bad[] = {"stage A { -> }", "stage A { wait 3 dyas }", "/* open",
                                          "stage \"unterminated", "a && b"};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            Buf out = BUF_INIT;
            CHECK(format(bad[i], strlen(bad[i]), &out) == FMT_SYNTAX);
            CHECK(out.len == 0);
            buf_free(&out);
        }
        char bin[64];
        for (int i = 0; i < 64; i++) bin[i] = (char)(i * 7);
        Buf out = BUF_INIT;
        CHECK(format(bin, sizeof bin, &out) == FMT_SYNTAX && out.len == 0);
        CHECK(format("stage A {}\0x", 12, &out) == FMT_SYNTAX && out.len == 0);
        buf_free(&out);
    }
}

/* Formats `text` (named t.journey) with allocation n failing, and every later one when `sticky`
 * (arena.h's test hook), into a fallible Buf: either it was formatted as `expected` (FMT_OK, or
 * FMT_SYNTAX when `expected` is NULL) or memory ran out and that is an error, with nothing
 * produced. True when no allocation failed. */
static bool format_with_failure(const char *text, const char *expected, long n, bool sticky)
{
    SourceSet set;
    source_set_init(&set);
    char *copy = strdup(text);
    uint32_t file = source_set_add(&set, "t.journey", "t.journey", copy, strlen(text));
    Diag d;
    diag_init(&d, &set, NULL, false);
    Buf out = BUF_FALLIBLE;
    mem_fail_at(n, sticky);
    FmtStatus st = fmt_source(&d, file, &out);
    bool failed = mem_failed();
    mem_fail_at(0, false);
    if (failed) {
        CHECK(st == FMT_OUT_OF_MEMORY && out.len == 0 && d.errors > 0 && d.out_of_memory);
        bool said = false;
        for (int i = 0; i < d.n; i++)
            said |= strcmp(d.items[i].message, "out of memory while formatting 't.journey'") == 0;
        CHECK(said || sticky);
    } else if (expected) {
        CHECK(st == FMT_OK && d.errors == 0);
        CHECK_STR(buf_str(&out), expected);
    } else {
        CHECK(st == FMT_SYNTAX && d.errors > 0 && !d.out_of_memory);
    }
    buf_free(&out);
    diag_free(&d);
    source_set_free(&set);
    return !failed;
}

/* Fails each allocation of formatting `text` in turn (then from each one on); returns how many
 * allocations a formatting makes. */
static long fail_each_allocation(const char *text, const char *expected)
{
    long n = 1;
    while (!format_with_failure(text, expected, n, false) && n < 100000) n++;
    for (long k = 1; k < n; k++) format_with_failure(text, expected, k, true);
    return n - 1;
}

static void test_out_of_memory(void)
{
    TEST("fmt: out of memory anywhere while formatting is an error, no crash, no leak, nothing produced") {
        static const char *const files[] = {"examples/ecommerce.journey", "tests/fmt/arrivals.journey",
                                            "tests/fmt/customers.journey"};
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            char *text;
            size_t len;
            int err;
            CHECK(source_read_file(files[i], &text, &len, &err) == READ_OK);
            Buf expected = BUF_INIT;
            CHECK(format(text, len, &expected) == FMT_OK);
            arena_set_block_size(256); /* arenas allocate often, so failures land in the parser too */
            long n = fail_each_allocation(text, buf_str(&expected));
            arena_set_block_size(0);
            CHECK(n > 50);
            if (getenv("CJM_UNIT_VERBOSE")) printf("# allocations formatting %s: %ld\n", files[i], n);
            buf_free(&expected);
            free(text);
        }
    }
    TEST("fmt: out of memory while wording a syntax error is an error too") {
        CHECK(fail_each_allocation("stage A { -> }\nstage B { wait 3 dyas }\n", NULL) > 3);
    }
}

void unit_fmt(void)
{
    test_comments();
    test_layout();
    test_refusals();
    test_out_of_memory();
}
