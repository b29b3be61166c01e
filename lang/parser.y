/* parser.y: the grammar of .journey files (docs/language.md has its EBNF summary).
 *
 * Pure and reentrant (no global state). Actions only build AST nodes; names, types, values and
 * the journey's structure are checked later by sema.c. Lists are built by prepending and put back
 * in source order by parse_reverse_lists() once the file is parsed.
 *
 * Error recovery: each kind of block item has an `error` alternative, so a bad item is skipped up
 * to the start of the next item (or the block's '}') and parsing goes on. */
%define api.pure full
%define api.location.type {Loc}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {ParseCtx *ctx}

%code requires {
#include "ast.h"
#include "parse.h"
typedef void *yyscan_t;
}

%code provides {
int yylex(YYSTYPE *yylval, YYLTYPE *yylloc, yyscan_t scanner);
}

%code {
#include <math.h>
#include <string.h>

#include "expr.h"

/* A node's location spans its first to its last symbol; an empty rule sits where the previous
 * symbol ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                  \
    do {                                                                             \
        if (N) {                                                                     \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                                      \
            (Cur).off = YYRHSLOC(Rhs, 1).off;                                        \
            uint32_t end_ = YYRHSLOC(Rhs, N).off + YYRHSLOC(Rhs, N).len;             \
            (Cur).len = end_ > (Cur).off ? end_ - (Cur).off : 0;                     \
        } else {                                                                     \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                                      \
            (Cur).off = YYRHSLOC(Rhs, 0).off + YYRHSLOC(Rhs, 0).len;                 \
            (Cur).len = 0;                                                           \
        }                                                                            \
    } while (0)

static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg)
{
    (void)scanner;
    parse_syntax_error(ctx, *loc, msg);
}

#define NEW(T) ARENA_NEW(ctx->arena, T)

/* The parser's stacks come from the parse's scratch arena (parse.c). */
#define YYMALLOC parse_stack_alloc
#define YYFREE parse_stack_free

static Name mkname(const char *s, Loc loc) { Name n = {s, loc}; return n; }
static Str mkstr(const char *s, Loc loc) { Str t = {s, loc}; return t; }

static Expr *mkexpr(ParseCtx *ctx, ExprKind kind, Loc loc, Expr *a, Expr *b)
{
    Expr *e = NEW(Expr);
    e->kind = kind;
    e->loc = loc;
    e->a = a;
    e->b = b;
    /* Later passes walk expressions recursively: bound their depth here, once. */
    int da = a ? a->depth : 0, db = b ? b->depth : 0;
    e->depth = 1 + (da > db ? da : db);
    if (e->depth > PARSE_MAX_EXPR_DEPTH) {
        if (!ctx->depth_reported)
            diag_error(ctx->diag, loc, "expression is too deep (more than %d operators nested)", PARSE_MAX_EXPR_DEPTH);
        ctx->depth_reported = true;
        e->kind = EX_NUMBER;
        e->a = e->b = NULL;
        e->depth = 1;
    }
    return e;
}

/* From the start of `a` to the end of `b`. */
static Loc mkloc_span(Loc a, Loc b)
{
    Loc l = a;
    uint32_t end = b.off + b.len;
    l.len = end > a.off ? end - a.off : 0;
    return l;
}

static Value negate(Value v, Loc loc)
{
    v.v = -v.v;
    v.loc = loc;
    return v;
}

/* Whether e, spanning `span`, is a plain number: a NUMBER (with its unit), with an optional sign
 * (`-3 days`, `+5`); then *out is its Value, located at the whole span. A number in parentheses
 * is not plain: its node ends before the span does. */
static bool plain_number(const Expr *e, Loc span, Value *out)
{
    bool neg = e->kind == EX_NEG && e->a && e->a->kind == EX_NUMBER;
    const Expr *n = neg ? e->a : e;
    if (n->kind != EX_NUMBER || n->loc.off + n->loc.len != span.off + span.len) return false;
    out->present = true;
    out->v = neg ? -n->num : n->num;
    out->unit = n->unit;
    out->loc = span;
    return true;
}

/* An amount that may be an expression (ast.h): a plain number fills *v as a `value` would and
 * *ex is NULL; anything else is kept in *ex, *v present with v NaN, located at the expression. */
static void set_amount(Value *v, const Expr **ex, const Expr *e, Loc span)
{
    if (plain_number(e, span, v)) {
        *ex = NULL;
        return;
    }
    v->present = true;
    v->v = NAN;
    v->unit = VAL_NUMBER;
    v->loc = span;
    *ex = e;
}

/* Whether `name` is a function of expressions (expr.def), not a distribution. */
static bool is_function(const char *name)
{
    for (int f = 0; f < FN__COUNT; f++)
        if (strcmp(expr_func_name((FuncId)f), name) == 0) return true;
    return false;
}

/* A wait: `wait 3 days` or an expression of days (DIST_CONSTANT), or `wait NAME(ARG, ...)` (a
 * call of anything but a function of expressions: the checker resolves the distribution), each
 * argument an amount. */
static Dist *make_wait(ParseCtx *ctx, const Expr *e, Loc span)
{
    Dist *d = NEW(Dist);
    d->loc = span;
    if (e->kind == EX_CALL && e->name.s && !is_function(e->name.s) && e->loc.off == span.off && e->loc.len == span.len) {
        d->fn = e->name;
        int i = 0;
        for (const Expr *a = e->args; a; a = a->next, i++)
            if (i < 3) set_amount(&d->args[i], &d->arg_expr[i], a, a->loc);
        d->nargs = e->nargs;
        return d;
    }
    d->kind = DIST_CONSTANT;
    set_amount(&d->args[0], &d->arg_expr[0], e, span);
    d->nargs = 1;
    return d;
}

/* A persona's trait `NAME = ...`, prepended to persona p's list. */
static Trait *add_trait(ParseCtx *ctx, Persona *p, const char *name, Loc loc)
{
    Trait *t = NEW(Trait);
    t->name = mkname(name, loc);
    t->next = p->traits;
    p->traits = t;
    return t;
}

/* `wait`, `revenue` and the touchpoint attributes may be given once per block. */
static bool first_time(ParseCtx *ctx, bool already, const char *what, Loc loc, Loc first)
{
    if (already) {
        diag_error(ctx->diag, loc, "'%s' is given twice", what);
        diag_note(ctx->diag, first, "first given here");
    }
    return !already;
}
}

%union {
    Value val;
    const char *str;
    Expr *expr;
    Dist *dist;
    Stage *stage;
    Touchpoint *tp;
    Arrow *arrow;
    Persona *persona;
    Curve *curve;
    Rule *rule;
    Action *action;
    JourneyDecl *journey;
    Arrivals *arrivals;
    ArrivalCount *counts;
    StrList *strs;
    ChoiceItem *choices;
    bool flag;
    struct { Value v[3]; int n; } args; /* up to 3 distribution arguments, n counts all */
}

%token END 0 "end of file"
%token <str> IDENT "identifier"
%token <str> STRING "string"
%token <val> NUMBER "number"
%token ARROW "->" PLUS_ASSIGN "+=" MINUS_ASSIGN "-=" LE "<=" GE ">=" EQ "==" NE "!="
%token IMPORT "import" JOURNEY "journey" COHORT "cohort" HORIZON "horizon" SEED "seed"
%token START "start" PERSONA "persona" SHARE "share" MOOD "mood" CURVE "curve"
%token STAGE "stage" GOAL "goal" WAIT "wait" TOUCHPOINT "touchpoint" CHANNEL "channel"
%token REACH "reach" EMOTION "emotion" COST "cost" PAIN "pain" OPPORTUNITY "opportunity"
%token REVENUE "revenue" RULE "rule" WHEN "when" TOUCH "touch" GOTO "goto" CHURN "churn"
%token WITH "with" OTHERWISE "otherwise" AND "and" OR "or" NOT "not" EXTEND "extend"
%token REMOVE "remove" SCENARIO "scenario"
%token ARRIVALS "arrivals" PER "per" FROM "from" FOR "for" SURVEY "survey"
%token EVENTS "events" INACTIVITY "inactivity"
%token MEMORY "memory" STATE "state" BOOL_TRUE "true" BOOL_FALSE "false"

/* `revenue` starts a stage item and can also start an expression, so after `-> Target` it is
 * ambiguous: the probability could begin with it. It is read as the next stage item (the empty
 * probability is reduced); a probability that begins with `revenue` must be parenthesised.
 * This is the grammar's only precedence-resolved conflict apart from the operators'. */
%precedence REVENUE
%precedence NO_PROB

%left OR
%left AND
%precedence NOT
%nonassoc '<' LE '>' GE EQ NE
%left '+' '-'
%left '*' '/'
%precedence UNARY

%type <val> value
%type <str> str_opt channel_name
%type <strs> event_names
%type <expr> expr expr_args prob
%type <dist> dist
%type <stage> stage_items
%type <tp> tp_attrs touchpoint
%type <arrow> arrow arrow_target
%type <persona> persona_items
%type <curve> curve_points
%type <rule> actions
%type <action> action action_kind
%type <journey> journey_items
%type <arrivals> arrivals arrival_amount
%type <counts> arrival_counts
%type <flag> goal_opt
%type <args> value_list1
%type <choices> choice_items

%%

file:
    %empty
  | file decl
  ;

decl:
    IMPORT STRING {
        Import *im = NEW(Import);
        im->path = mkstr($2, @2);
        im->loc = @$;
        im->next = ctx->mod->imports;
        ctx->mod->imports = im;
    }
  | JOURNEY str_opt '{' journey_items '}' {
        JourneyDecl *j = $4;
        if (ctx->mod->journey.present) {
            diag_error(ctx->diag, @1, "a file may have only one 'journey' block");
            diag_note(ctx->diag, ctx->mod->journey.loc, "the first one is here");
        } else {
            j->present = true;
            j->title = mkstr($2, @2);
            j->loc = @1;
            ctx->mod->journey = *j;
        }
    }
  | CURVE '{' curve_points '}' {
        Curve *c = $3;
        c->loc = @1;
        c->next = ctx->mod->curves;
        ctx->mod->curves = c;
    }
  | CURVE IDENT '{' curve_points '}' {
        Curve *c = $4;
        c->persona = mkname($2, @2);
        c->loc = @1;
        c->next = ctx->mod->curves;
        ctx->mod->curves = c;
    }
  | shared_decl
  | SCENARIO IDENT str_opt '{' {
        Scenario *sc = NEW(Scenario);
        sc->name = mkname($2, @2);
        sc->label = mkstr($3, @3);
        Module *body = NEW(Module);
        body->file = ctx->mod->file;
        body->path = ctx->mod->path;
        sc->body = body;
        ctx->scenario = sc;
        ctx->into = body;
    } scenario_items '}' {
        Scenario *sc = ctx->scenario;
        sc->loc = @$;
        sc->next = ctx->mod->scenarios;
        ctx->mod->scenarios = sc;
        ctx->scenario = NULL;
        ctx->into = ctx->mod;
    }
  | error '}' {
        /* Recovery may have left a scenario half read: what follows belongs to the file. */
        ctx->scenario = NULL;
        ctx->into = ctx->mod;
    }
  ;

/* The declarations a scenario may hold as well as a file; they go where ctx->into says. */
shared_decl:
    PERSONA IDENT str_opt '{' persona_items '}' {
        Persona *p = $5;
        p->name = mkname($2, @2);
        p->label = mkstr($3, @3);
        p->loc = @$;
        p->next = ctx->into->personas;
        ctx->into->personas = p;
    }
  | STAGE IDENT str_opt goal_opt '{' stage_items '}' {
        Stage *s = $6;
        s->name = mkname($2, @2);
        s->label = mkstr($3, @3);
        s->goal = $4;
        s->goal_loc = @4;
        s->loc = @1;
        s->next = ctx->into->stages;
        ctx->into->stages = s;
    }
  | EXTEND STAGE IDENT goal_opt '{' stage_items '}' {
        Stage *s = $6;
        s->name = mkname($3, @3);
        s->goal = $4;
        s->goal_loc = @4;
        s->is_extend = true;
        s->loc = @1;
        s->next = ctx->into->stages;
        ctx->into->stages = s;
    }
  | CHANNEL channel_name str_opt {
        Channel *c = NEW(Channel);
        c->name = mkname($2, @2);
        c->label = mkstr($3, @3);
        c->loc = @$;
        c->next = ctx->into->channels;
        ctx->into->channels = c;
    }
  | touchpoint {
        $1->next = ctx->into->touchpoints;
        ctx->into->touchpoints = $1;
    }
  | RULE IDENT str_opt '{' actions '}' {
        Rule *r = $5;
        r->name = mkname($2, @2);
        r->label = mkstr($3, @3);
        r->loc = @1;
        r->next = ctx->into->rules;
        ctx->into->rules = r;
    }
  | RULE IDENT str_opt WHEN expr '{' actions '}' {
        Rule *r = $7;
        r->name = mkname($2, @2);
        r->label = mkstr($3, @3);
        r->when = $5;
        r->loc = @1;
        r->next = ctx->into->rules;
        ctx->into->rules = r;
    }
  | STATE IDENT '=' expr {
        StateVar *v = NEW(StateVar);
        v->name = mkname($2, @2);
        v->init = $4;
        v->loc = @$;
        v->next = ctx->into->states;
        ctx->into->states = v;
    }
  ;

/* A scenario's items: declarations, and the removal of a rule or a touchpoint. */
scenario_items:
    %empty
  | scenario_items shared_decl
  | scenario_items REMOVE RULE IDENT {
        Removal *r = NEW(Removal);
        r->is_rule = true;
        r->name = mkname($4, @4);
        r->loc = @2;
        r->next = ctx->scenario->removals;
        ctx->scenario->removals = r;
    }
  | scenario_items REMOVE TOUCHPOINT IDENT {
        Removal *r = NEW(Removal);
        r->name = mkname($4, @4);
        r->loc = @2;
        r->next = ctx->scenario->removals;
        ctx->scenario->removals = r;
    }
  | scenario_items error
  ;

str_opt:
    %empty { $$ = NULL; }
  | STRING { $$ = $1; }
  ;

/* A channel's name: `events` too, a keyword younger than the standard library's `channel events`. */
channel_name:
    IDENT { $$ = $1; }
  | EVENTS { $$ = "events"; }
  ;

/* `events "a", "b"`: names, prepended (parse_reverse_lists puts them back in order). */
event_names:
    STRING { $$ = NEW(StrList); $$->str = mkstr($1, @1); }
  | event_names ',' STRING {
        $$ = NEW(StrList);
        $$->str = mkstr($3, @3);
        $$->next = $1;
    }
  ;

goal_opt:
    %empty { $$ = false; }
  | GOAL { $$ = true; }
  ;

/* A literal: a number, a percentage or a duration, with an optional sign. */
value:
    NUMBER { $$ = $1; $$.present = true; }
  | '-' NUMBER { $$ = negate($2, @$); $$.present = true; }
  | '+' NUMBER { $$ = $2; $$.loc = @$; $$.present = true; }
  ;

journey_items:
    %empty { $$ = NEW(JourneyDecl); }
  | journey_items COHORT value {
        $$ = $1;
        if (first_time(ctx, $$->cohort.present, "cohort", @2, $$->cohort.loc)) $$->cohort = $3;
    }
  | journey_items HORIZON value {
        $$ = $1;
        if (first_time(ctx, $$->horizon.present, "horizon", @2, $$->horizon.loc)) $$->horizon = $3;
    }
  | journey_items SEED value {
        $$ = $1;
        if (first_time(ctx, $$->seed.present, "seed", @2, $$->seed.loc)) $$->seed = $3;
    }
  | journey_items INACTIVITY value {
        $$ = $1;
        if (first_time(ctx, $$->inactivity.present, "inactivity", @2, $$->inactivity.loc)) $$->inactivity = $3;
    }
  | journey_items MEMORY value {
        $$ = $1;
        if (first_time(ctx, $$->memory.present, "memory", @2, $$->memory.loc)) $$->memory = $3;
    }
  | journey_items START IDENT {
        $$ = $1;
        if (first_time(ctx, $$->start.s != NULL, "start", @2, $$->start.loc)) $$->start = mkname($3, @3);
    }
  | journey_items arrivals {
        $$ = $1;
        $2->next = $$->arrivals;
        $$->arrivals = $2;
    }
  | journey_items error { $$ = $1; }
  ;

persona_items:
    %empty { $$ = NEW(Persona); }
  | persona_items SHARE value {
        $$ = $1;
        if (first_time(ctx, $$->share.present, "share", @2, $$->share.loc)) $$->share = $3;
    }
  | persona_items MOOD value {
        $$ = $1;
        if (first_time(ctx, $$->mood.present, "mood", @2, $$->mood.loc)) $$->mood = $3;
    }
  | persona_items arrivals {
        $$ = $1;
        $2->next = $$->arrivals;
        $$->arrivals = $2;
    }
  | persona_items MEMORY value {
        $$ = $1;
        if (first_time(ctx, $$->memory.present, "memory", @2, $$->memory.loc)) $$->memory = $3;
    }
  | persona_items IDENT '=' value {
        $$ = $1;
        add_trait(ctx, $$, $2, @2)->value = $4;
    }
  | persona_items IDENT '=' IDENT '(' value_list1 ')' {
        $$ = $1;
        Dist *d = NEW(Dist);
        d->fn = mkname($4, @4);
        for (int i = 0; i < $6.n && i < 3; i++) d->args[i] = $6.v[i];
        d->nargs = $6.n;
        d->loc = mkloc_span(@4, @7);
        add_trait(ctx, $$, $2, @2)->dist = d;
    }
  | persona_items IDENT '=' IDENT '(' choice_items ')' {
        $$ = $1;
        Dist *d = NEW(Dist);
        d->fn = mkname($4, @4);
        d->choices = $6; /* prepended: parse_reverse_lists puts them in order */
        for (const ChoiceItem *c = $6; c; c = c->next) d->nargs++;
        d->loc = mkloc_span(@4, @7);
        add_trait(ctx, $$, $2, @2)->dist = d;
    }
  | persona_items error { $$ = $1; }
  ;

/* `arrivals RATE per PERIOD`, or a list of counts in place of the rate, then `from` and `for`
 * (each once, in either order). */
arrivals:
    ARRIVALS arrival_amount PER IDENT {
        $$ = $2;
        $$->period = mkname($4, @4);
        $$->loc = @$;
    }
  | arrivals FROM value {
        $$ = $1;
        if (first_time(ctx, $$->from.present, "from", @2, $$->from.loc)) $$->from = $3;
        $$->loc = @$;
    }
  | arrivals FOR value {
        $$ = $1;
        if (first_time(ctx, $$->span.present, "for", @2, $$->span.loc)) $$->span = $3;
        $$->loc = @$;
    }
  ;

arrival_amount:
    value { $$ = NEW(Arrivals); $$->rate = $1; }
  | '[' ']' { $$ = NEW(Arrivals); $$->is_list = true; $$->list_loc = @$; }
  | '[' arrival_counts ']' {
        $$ = NEW(Arrivals);
        $$->is_list = true;
        $$->counts = $2;
        $$->list_loc = @$;
    }
  ;

/* Counts, prepended (parse_reverse_lists puts them back in order). */
arrival_counts:
    value { $$ = NEW(ArrivalCount); $$->value = $1; }
  | arrival_counts ',' value {
        $$ = NEW(ArrivalCount);
        $$->value = $3;
        $$->next = $1;
    }
  ;

curve_points:
    %empty { $$ = NEW(Curve); }
  | curve_points IDENT expr str_opt {
        $$ = $1;
        CurvePoint *p = NEW(CurvePoint);
        p->stage = mkname($2, @2);
        set_amount(&p->value, &p->value_expr, $3, @3);
        p->why = mkstr($4, @4);
        p->next = $$->points;
        $$->points = p;
    }
  | curve_points error { $$ = $1; }
  ;

stage_items:
    %empty { $$ = NEW(Stage); }
  | stage_items WAIT dist {
        $$ = $1;
        if (first_time(ctx, $$->wait != NULL, "wait", @2, $$->wait ? $$->wait->loc : @2)) $$->wait = $3;
    }
  | stage_items REVENUE expr {
        $$ = $1;
        if (first_time(ctx, $$->revenue.present, "revenue", @2, $$->revenue.loc))
            set_amount(&$$->revenue, &$$->revenue_expr, $3, @3);
    }
  | stage_items EVENTS event_names {
        $$ = $1;
        if (first_time(ctx, $$->events != NULL, "events", @2, $$->events_loc)) {
            $$->events = $3;
            $$->events_loc = @2;
        }
    }
  | stage_items touchpoint {
        $$ = $1;
        $2->next = $$->touchpoints;
        $$->touchpoints = $2;
    }
  | stage_items arrow {
        $$ = $1;
        $2->next = $$->arrows;
        $$->arrows = $2;
    }
  | stage_items REMOVE TOUCHPOINT IDENT {
        $$ = $1;
        Removal *r = NEW(Removal);
        r->name = mkname($4, @4);
        r->loc = @2;
        r->next = $$->removals;
        $$->removals = r;
    }
  | stage_items REMOVE ARROW IDENT {
        $$ = $1;
        Removal *r = NEW(Removal);
        r->is_arrow = true;
        r->name = mkname($4, @4);
        r->loc = @2;
        r->next = $$->removals;
        $$->removals = r;
    }
  | stage_items REMOVE ARROW CHURN {
        $$ = $1;
        Removal *r = NEW(Removal);
        r->is_arrow = true;
        r->to_churn = true;
        r->name = mkname(NULL, @4);
        r->loc = @2;
        r->next = $$->removals;
        $$->removals = r;
    }
  | stage_items error { $$ = $1; }
  ;

/* A wait: a duration, or a distribution's call; each argument an amount (make_wait). */
dist:
    expr { $$ = make_wait(ctx, $1, @1); }
  ;

value_list1:
    value { $$.n = 1; $$.v[0] = $1; }
  | value_list1 ',' value {
        $$ = $1;
        if ($$.n < 3) $$.v[$$.n] = $3;
        $$.n++;
    }
  ;

/* `VALUE: WEIGHT, ...` of `choice(...)`, prepended. */
choice_items:
    value ':' value {
        $$ = NEW(ChoiceItem);
        $$->value = $1;
        $$->weight = $3;
        $$->loc = @$;
    }
  | choice_items ',' value ':' value {
        $$ = NEW(ChoiceItem);
        $$->value = $3;
        $$->weight = $5;
        $$->loc = mkloc_span(@3, @5);
        $$->next = $1;
    }
  ;

touchpoint:
    TOUCHPOINT IDENT str_opt '{' tp_attrs '}' {
        $$ = $5;
        $$->name = mkname($2, @2);
        $$->label = mkstr($3, @3);
        $$->loc = @1;
    }
  ;

tp_attrs:
    %empty { $$ = NEW(Touchpoint); }
  | tp_attrs CHANNEL channel_name {
        $$ = $1;
        if (first_time(ctx, $$->channel.s != NULL, "channel", @2, $$->channel.loc)) $$->channel = mkname($3, @3);
    }
  | tp_attrs SURVEY IDENT {
        $$ = $1;
        if (first_time(ctx, $$->survey.s != NULL, "survey", @2, $$->survey.loc)) $$->survey = mkname($3, @3);
    }
  | tp_attrs REACH expr {
        $$ = $1;
        if (first_time(ctx, $$->reach.present, "reach", @2, $$->reach.loc)) set_amount(&$$->reach, &$$->reach_expr, $3, @3);
    }
  | tp_attrs EMOTION value {
        $$ = $1;
        if (first_time(ctx, $$->emotion.present, "emotion", @2, $$->emotion.loc)) $$->emotion = $3;
    }
  | tp_attrs COST expr {
        $$ = $1;
        if (first_time(ctx, $$->cost.present, "cost", @2, $$->cost.loc)) set_amount(&$$->cost, &$$->cost_expr, $3, @3);
    }
  | tp_attrs EVENTS event_names {
        $$ = $1;
        if (first_time(ctx, $$->events != NULL, "events", @2, $$->events_loc)) {
            $$->events = $3;
            $$->events_loc = @2;
        }
    }
  | tp_attrs PAIN STRING {
        $$ = $1;
        StrList *l = NEW(StrList);
        l->str = mkstr($3, @3);
        l->next = $$->pains;
        $$->pains = l;
    }
  | tp_attrs OPPORTUNITY STRING {
        $$ = $1;
        StrList *l = NEW(StrList);
        l->str = mkstr($3, @3);
        l->next = $$->opportunities;
        $$->opportunities = l;
    }
  | tp_attrs error { $$ = $1; }
  ;

arrow:
    arrow_target prob {
        $$ = $1;
        $$->prob = $2;
        $$->otherwise = $2 == NULL;
        $$->loc = @$;
    }
  | arrow_target prob WHEN expr {
        $$ = $1;
        $$->prob = $2;
        $$->otherwise = $2 == NULL;
        $$->when = $4;
        $$->loc = @$;
    }
  | arrow_target prob STRING {
        $$ = $1;
        $$->prob = $2;
        $$->otherwise = $2 == NULL;
        $$->reason = mkstr($3, @3);
        $$->loc = @$;
    }
  | arrow_target prob WHEN expr STRING {
        $$ = $1;
        $$->prob = $2;
        $$->otherwise = $2 == NULL;
        $$->when = $4;
        $$->reason = mkstr($5, @5);
        $$->loc = @$;
    }
  ;

arrow_target:
    ARROW IDENT { $$ = NEW(Arrow); $$->target = mkname($2, @2); }
  | ARROW CHURN { $$ = NEW(Arrow); $$->to_churn = true; $$->target = mkname(NULL, @2); }
  ;

/* NULL stands for `otherwise`, written or not. */
prob:
    %empty %prec NO_PROB { $$ = NULL; }
  | OTHERWISE { $$ = NULL; }
  | expr { $$ = $1; }
  ;

actions:
    %empty { $$ = NEW(Rule); }
  | actions action {
        $$ = $1;
        if ($2) {
            $2->next = $$->actions;
            $$->actions = $2;
        }
    }
  | actions error { $$ = $1; }
  ;

action:
    action_kind { $$ = $1; $$->loc = @$; }
  | action_kind WITH expr { $$ = $1; $$->with = $3; $$->loc = @$; }
  ;

action_kind:
    TOUCH IDENT { $$ = NEW(Action); $$->kind = ACT_TOUCH; $$->target = mkname($2, @2); }
  | MOOD PLUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_MOOD_ADD; $$->value = $3; }
  | MOOD MINUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_MOOD_SUB; $$->value = $3; }
  | MOOD '=' expr { $$ = NEW(Action); $$->kind = ACT_MOOD_SET; $$->value = $3; }
  | REVENUE PLUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_REVENUE_ADD; $$->value = $3; }
  | COST PLUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_COST_ADD; $$->value = $3; }
  | GOTO IDENT { $$ = NEW(Action); $$->kind = ACT_GOTO; $$->target = mkname($2, @2); }
  | CHURN { $$ = NEW(Action); $$->kind = ACT_CHURN; }
  | CHURN STRING { $$ = NEW(Action); $$->kind = ACT_CHURN; $$->reason = mkstr($2, @2); }
  | IDENT '=' expr { $$ = NEW(Action); $$->kind = ACT_STATE_SET; $$->target = mkname($1, @1); $$->value = $3; }
  | IDENT PLUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_STATE_ADD; $$->target = mkname($1, @1); $$->value = $3; }
  | IDENT MINUS_ASSIGN expr { $$ = NEW(Action); $$->kind = ACT_STATE_SUB; $$->target = mkname($1, @1); $$->value = $3; }
  ;

expr:
    NUMBER { $$ = mkexpr(ctx, EX_NUMBER, @$, NULL, NULL); $$->num = $1.v; $$->unit = $1.unit; }
  | IDENT { $$ = mkexpr(ctx, EX_NAME, @$, NULL, NULL); $$->name = mkname($1, @1); }
  | IDENT '(' ')' { $$ = mkexpr(ctx, EX_CALL, @$, NULL, NULL); $$->name = mkname($1, @1); }
  | IDENT '(' expr_args ')' {
        $$ = mkexpr(ctx, EX_CALL, @$, NULL, NULL);
        $$->name = mkname($1, @1);
        /* Arguments were prepended (each one the parser's own node): put them back in order. */
        Expr *rev = NULL, *a = $3;
        while (a) {
            Expr *n = (Expr *)a->next;
            a->next = rev;
            rev = a;
            a = n;
            $$->nargs++;
        }
        $$->args = rev;
    }
  | MOOD { $$ = mkexpr(ctx, EX_MOOD, @$, NULL, NULL); }
  | STAGE { $$ = mkexpr(ctx, EX_STAGE, @$, NULL, NULL); }
  | PERSONA { $$ = mkexpr(ctx, EX_PERSONA, @$, NULL, NULL); }
  | REVENUE { $$ = mkexpr(ctx, EX_REVENUE, @$, NULL, NULL); }
  | COST { $$ = mkexpr(ctx, EX_COST, @$, NULL, NULL); }
  | BOOL_TRUE { $$ = mkexpr(ctx, EX_TRUE, @$, NULL, NULL); }
  | BOOL_FALSE { $$ = mkexpr(ctx, EX_FALSE, @$, NULL, NULL); }
  | '(' expr ')' { $$ = $2; }
  | '-' expr %prec UNARY { $$ = mkexpr(ctx, EX_NEG, @$, $2, NULL); }
  | '+' expr %prec UNARY { $$ = $2; }
  | NOT expr { $$ = mkexpr(ctx, EX_NOT, @$, $2, NULL); }
  | expr '+' expr { $$ = mkexpr(ctx, EX_ADD, @$, $1, $3); }
  | expr '-' expr { $$ = mkexpr(ctx, EX_SUB, @$, $1, $3); }
  | expr '*' expr { $$ = mkexpr(ctx, EX_MUL, @$, $1, $3); }
  | expr '/' expr { $$ = mkexpr(ctx, EX_DIV, @$, $1, $3); }
  | expr '<' expr { $$ = mkexpr(ctx, EX_LT, @$, $1, $3); }
  | expr LE expr { $$ = mkexpr(ctx, EX_LE, @$, $1, $3); }
  | expr '>' expr { $$ = mkexpr(ctx, EX_GT, @$, $1, $3); }
  | expr GE expr { $$ = mkexpr(ctx, EX_GE, @$, $1, $3); }
  | expr EQ expr { $$ = mkexpr(ctx, EX_EQ, @$, $1, $3); }
  | expr NE expr { $$ = mkexpr(ctx, EX_NE, @$, $1, $3); }
  | expr AND expr { $$ = mkexpr(ctx, EX_AND, @$, $1, $3); }
  | expr OR expr { $$ = mkexpr(ctx, EX_OR, @$, $1, $3); }
  ;

/* Arguments, prepended (reversed by the call's action). */
expr_args:
    expr { $$ = $1; }
  | expr_args ',' expr { $3->next = $1; $$ = $3; }
  ;

%%
