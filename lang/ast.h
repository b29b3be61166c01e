/* ast.h: the syntax tree of .journey files, and the node types of the checked model.
 *
 * Every node keeps the source location of what it was parsed from. Lists are singly linked
 * through `next`, in source order. All nodes and strings of a file live in the Program's arena
 * (see program.h): nothing here is freed one by one.
 *
 * The syntax tree is immutable once parsed: every link below is a pointer to const, so that code
 * holding a `const Program *` (the checker) cannot change a node however deep it reaches. Only
 * the parser writes nodes, while it builds them (parse_reverse_lists() is the one place that
 * relinks a list), and the loader, which sets Import.module while it loads.
 *
 * The same types serve the checked model (sema.h): the checker builds its own copies of the
 * declarations in the Model's arena, merged with their `extend` blocks and the scenario applied,
 * and fills the fields marked "sema:" of those copies only; in the syntax tree they stay zero.
 * docs/architecture.md says where this is going (the sema fields in Model-owned types). */
#ifndef CJM_AST_H
#define CJM_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "source.h"

typedef struct Name {
    const char *s; /* NULL when absent */
    Loc loc;
} Name;

typedef struct Str {
    const char *s; /* NULL when absent; UTF-8, escapes resolved */
    Loc loc;
} Str;

/* A literal number. `35%` is 0.35 with unit VAL_PERCENT; `3 days` is 3 with VAL_DURATION. */
typedef enum { VAL_NUMBER, VAL_PERCENT, VAL_DURATION } ValueUnit;
typedef struct Value {
    bool present;
    double v;
    ValueUnit unit;
    Loc loc;
} Value;

/* The built-in functions of expressions (expr.def). */
typedef enum {
#define FUNC(name, spelling, lo, hi, cls, value) FN_##name,
#include "expr.def"
    FN__COUNT
} FuncId;

/* The distributions (builtins.def): a wait's kinds are those below DIST_WAIT__COUNT; a trait may
 * also take the ones from DIST_WAIT__COUNT on (gamma, beta, choice). */
typedef enum {
    DIST_CONSTANT,
#define DIST(e, name, lo, hi) e,
#include "builtins.def"
#undef DIST
    DIST_WAIT__COUNT,
    DIST__TRAITS_BEFORE = DIST_WAIT__COUNT - 1, /* so that the first trait kind is DIST_WAIT__COUNT */
#define TRAIT_DIST(e, name, lo, hi) e,
#include "builtins.def"
#undef TRAIT_DIST
    DIST__COUNT
} DistKind;

/* ---- expressions ----
 * The kinds of expression nodes: numbers, names and calls, and the operand words and operators of
 * expr.def (the one definition of what each one means). */
typedef enum {
    EX_NUMBER,   /* num */
    EX_NAME,     /* name: a trait, stage, persona, or `time` (sema sets ref) */
    /* mood, stage, ...; then the operators: prefix ones (operand a), infix ones (a, b) */
#define LEAF(name, spelling, token, type, cls) EX_##name,
#define PREFIX(name, spelling, token, prec, operand, result, value) EX_##name,
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) EX_##name,
#include "expr.def"
    EX_CALL,     /* name(args): sema sets fn */
} ExprKind;

/* What a bare name in an expression refers to, once resolved; for met() and met_ever() (EX_CALL),
 * what their argument names: a touchpoint or a channel (Expr.index is then its index). */
typedef enum {
    REF_UNRESOLVED, REF_TIME, REF_TRAIT, REF_STAGE, REF_PERSONA,
    REF_STATE,          /* a state variable (`state NAME = ...`): Expr.index in Model.states */
    REF_TOUCHPOINT,     /* met(T), met_ever(T): Expr.index in Model.touchpoints */
    REF_CHANNEL,        /* met(C), met_ever(C): Expr.index in Model.channels */
} RefKind;

/* Types of expressions: numbers, truth values, and the two enumerations. */
typedef enum { TY_ERROR, TY_NUMBER, TY_BOOL, TY_STAGE, TY_PERSONA } Type;

typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    Loc loc;
    double num;         /* EX_NUMBER */
    ValueUnit unit;     /* EX_NUMBER: how it was written */
    Name name;          /* EX_NAME, EX_CALL */
    const Expr *a, *b;  /* operands */
    const Expr *args;   /* EX_CALL: arguments, linked by next */
    int nargs;
    int depth;          /* operators nested (bounded by the parser) */
    const Expr *next;   /* next argument */
    /* sema: */
    Type type;
    RefKind ref;        /* EX_NAME; EX_CALL of met()/met_ever(): REF_TOUCHPOINT or REF_CHANNEL */
    int index;          /* EX_NAME: trait/stage/persona/state index; EX_CALL visits(): stage index;
                           met()/met_ever(): touchpoint or channel index (ref says which) */
    FuncId fn;          /* EX_CALL */
    bool constant;      /* no dependence on the customer at all */
    bool persona_only;  /* depends on nothing but the persona (and its traits) */
};

/* ---- declarations ----
 *
 * Amounts that may be expressions (issue 16: a stage's revenue, a touchpoint's reach and cost, a
 * wait's arguments, a curve's values). Each keeps its `Value` and adds an `..._expr`:
 *   - written as a plain number (an optional sign and a NUMBER, with its unit), the parser fills
 *     the Value exactly as before and leaves the expression NULL, so that every existing consumer
 *     (cjm fit -o rewriting numbers in place, the formatter) sees what it always saw;
 *   - written as anything else (`29 * seats`, `1 week / lambda`), the parser sets the expression,
 *     and the Value has present = true, v = NaN, unit VAL_NUMBER and loc the expression's span.
 * The checker, in its checked copies only, folds an expression that turns out constant
 * (`12 * 29`) into Value.v and sets the expression to NULL: in a checked node a non-NULL
 * expression always depends on the persona (its traits) or on the customer. */

/* One outcome of `choice(VALUE: WEIGHT, ...)`: a trait drawn among values with weights. */
typedef struct ChoiceItem ChoiceItem;
struct ChoiceItem {
    Value value, weight;
    Loc loc;            /* `VALUE: WEIGHT` */
    const ChoiceItem *next;
};

typedef struct Dist {
    DistKind kind;
    Name fn;            /* the distribution's name as written (absent for a plain duration) */
    Value args[3];
    const Expr *arg_expr[3]; /* a wait's argument written as an expression (see above); NULL
                                for a plain number. A trait's distribution takes numbers only. */
    int nargs;
    const ChoiceItem *choices; /* DIST_CHOICE: its items in order (nargs counts them) */
    Loc loc;
} Dist;

typedef struct StrList StrList;
struct StrList {
    Str str;
    const StrList *next;
};

typedef struct Stage Stage;

/* What a survey touchpoint asks (`survey nps`, `survey csat`). */
typedef enum { SURVEY_NONE, SURVEY_NPS, SURVEY_CSAT } SurveyKind;

typedef struct Touchpoint Touchpoint;
struct Touchpoint {
    Name name;
    Str label;
    Name channel;
    Name survey;        /* `survey KIND` as written (sema checks the kind); absent for none */
    Value reach, emotion, cost;
    const Expr *reach_expr, *cost_expr; /* reach or cost as an expression (see Dist), else NULL */
    const StrList *pains, *opportunities;
    const StrList *events; /* `events "a", "b"`: the log's event names that meet it (NULL: none) */
    Loc events_loc;     /* the `events` keyword, when given */
    Loc loc;
    const Touchpoint *next;
    /* sema: */
    int index;          /* in Model.touchpoints */
    int channel_index;  /* in Model.channels, -1 for none */
    SurveyKind survey_kind;
    int stage_index;    /* the stage it belongs to, -1 for a stand-alone touchpoint */
    bool used;          /* a stand-alone touchpoint named by a rule's `touch` */
};

typedef struct Arrow Arrow;
struct Arrow {
    Name target;        /* target.s == NULL for `churn` */
    bool to_churn;
    bool otherwise;     /* `otherwise`, or no probability written */
    const Expr *prob;   /* NULL when otherwise */
    const Expr *when;   /* NULL when unconditional */
    Str reason;
    Loc loc;
    const Arrow *next;
    /* sema: */
    int target_index;   /* stage index, -1 for churn */
};

/* What `remove` names: inside an `extend stage` block an arrow or a touchpoint; at the top of a
 * `scenario` block a touchpoint or a rule. */
typedef struct Removal Removal;
struct Removal {
    bool is_arrow;      /* `remove -> Target` */
    bool is_rule;       /* `remove rule Name` (in a scenario); neither: `remove touchpoint Name` */
    bool to_churn;
    Name name;
    Loc loc;
    const Removal *next;
};

struct Stage {
    Name name;
    Str label;
    bool goal;
    Loc goal_loc;
    const Dist *wait;   /* NULL: no wait */
    Value revenue;
    const Expr *revenue_expr; /* revenue as an expression (see Dist), else NULL */
    const StrList *events; /* `events "a", "b"`: the log's event names that enter it (NULL: none) */
    Loc events_loc;     /* the `events` keyword, when given */
    const Touchpoint *touchpoints;
    const Arrow *arrows;
    const Removal *removals; /* only in `extend stage` blocks */
    bool is_extend;
    Loc loc;
    const Stage *next;
    /* sema: */
    int index;
    bool reachable;     /* from the start stage */
    bool can_end;       /* some end is reachable from it */
};

/* `arrivals RATE per PERIOD [from DURATION] [for DURATION]`, or with `[N1, N2, ...]` (one count
 * per period) in place of the rate: customers who arrive over calendar time, in the journey block
 * or a persona (docs/language.md, "Arrivals"). The grammar takes `from` and `for` in either order
 * and with a list too; the checker says what is wrong with a line. */
typedef struct ArrivalCount ArrivalCount;
struct ArrivalCount {
    Value value;
    const ArrivalCount *next;
};

typedef struct Arrivals Arrivals;
struct Arrivals {
    bool is_list;       /* `[...]`: one count per period; else a rate */
    Value rate;         /* a rate: customers per period */
    const ArrivalCount *counts; /* a list's counts, in order (NULL for `[]`) */
    Loc list_loc;       /* a list, from '[' to ']' */
    Name period;        /* as written: day, week, month, quarter or year (or their plurals) */
    Value from, span;   /* `from` and `for`; absent when not written */
    Loc loc;            /* the whole line, from `arrivals` on */
    const Arrivals *next;
    /* sema: */
    int persona;        /* -1: the journey's (the persona drawn by share); else the persona's index */
    double period_days;
    double start;       /* days: when the first period begins */
    double periods;     /* how many periods it lasts; only the last may be a fraction of one */
    int nperiods;       /* ceil(periods) */
    double total;       /* the customers it brings */
};

/* `name = 0.2`, or `name = gamma(0.24, 4.4)`: a distribution drawn once per customer. */
typedef struct Trait Trait;
struct Trait {
    Name name;
    Value value;        /* the plain value; absent (present false) when `dist` is given */
    const Dist *dist;   /* NULL: the plain value */
    const Trait *next;
};

typedef struct Persona Persona;
struct Persona {
    Name name;
    Str label;
    Value share, mood;
    Value memory;       /* `memory 30 days`: the half-life of this persona's experience (overrides
                           the journey's); absent: the journey's */
    const Trait *traits;
    const Arrivals *arrivals; /* the persona's own arrivals, in order */
    Loc loc;
    const Persona *next;
    /* sema: */
    int index;
};

typedef struct CurvePoint CurvePoint;
struct CurvePoint {
    Name stage;
    Value value;
    const Expr *value_expr; /* the value as an expression (see Dist), else NULL */
    Str why;
    const CurvePoint *next;
};

typedef struct Curve Curve;
struct Curve {
    Name persona;       /* absent for the default curve */
    const CurvePoint *points;
    Loc loc;
    const Curve *next;
};

typedef enum {
    ACT_TOUCH, ACT_MOOD_ADD, ACT_MOOD_SUB, ACT_MOOD_SET, ACT_REVENUE_ADD, ACT_COST_ADD,
    ACT_GOTO, ACT_CHURN,
    ACT_STATE_SET,      /* `NAME = E` of a state variable: target is its name, target_index its index */
    ACT_STATE_ADD,      /* `NAME += E` (numbers only) */
    ACT_STATE_SUB,      /* `NAME -= E` (numbers only) */
} ActionKind;

typedef struct Action Action;
struct Action {
    ActionKind kind;
    Name target;        /* ACT_TOUCH: touchpoint; ACT_GOTO: stage; ACT_STATE_*: state variable */
    const Expr *value;  /* the right-hand side of += -= = */
    Str reason;         /* ACT_CHURN */
    const Expr *with;   /* probability, NULL = always */
    Loc loc;
    const Action *next;
    /* sema: */
    int target_index;
};

typedef struct Rule Rule;
struct Rule {
    Name name;
    Str label;
    const Expr *when;   /* NULL: every entry of every stage */
    const Action *actions;
    Loc loc;
    const Rule *next;
    /* sema: */
    int index;
};

typedef struct Channel Channel;
struct Channel {
    Name name;
    Str label;
    Loc loc;
    const Channel *next;
    /* sema: */
    int index;
};

/* `state NAME = EXPR`: a variable every customer carries, starting at EXPR (constants and traits
 * only), changed by rules' actions (`NAME = E`, `NAME += E`, `NAME -= E`) and read by name in
 * expressions. Its type is its starting value's: a number, or a flag (`true`, `false`, a
 * condition). */
typedef struct StateVar StateVar;
struct StateVar {
    Name name;
    const Expr *init;
    Loc loc;            /* the whole declaration */
    const StateVar *next;
    /* sema: */
    int index;          /* in Model.states */
    Type type;          /* TY_NUMBER or TY_BOOL */
    bool used;          /* an expression reads it */
    bool changed;       /* some rule's action sets it */
};

typedef struct JourneyDecl {
    bool present;
    Str title;
    Value cohort, horizon, seed;
    Value inactivity;   /* `inactivity 60 days`: for cjm fit, no event for longer means churned */
    Value memory;       /* `memory 60 days`: the half-life of experience; absent: it never fades */
    Name start;
    const Arrivals *arrivals; /* the journey's `arrivals` lines, in order */
    Loc loc;
} JourneyDecl;

/* A comment, kept for tools that work on the text (the formatter); the checker ignores them. */
typedef struct Comment Comment;
struct Comment {
    Loc loc;            /* from the first '/' to the end of the comment (a line comment's
                           newline excluded) */
    bool block;         /* a block comment rather than a line comment */
    const Comment *next;
};

typedef struct Import Import;
typedef struct Module Module;
typedef struct Scenario Scenario;
struct Import {
    Str path;
    Loc loc;
    const Import *next;
    const Module *module; /* set by the loader; NULL when it could not be loaded */
};

/* One parsed file. Declarations are kept per kind, in source order. */
struct Module {
    uint32_t file;      /* SourceSet id */
    const char *path;
    const Import *imports;
    JourneyDecl journey;
    const Persona *personas;
    const Curve *curves;
    const Stage *stages; /* `stage` and `extend stage`, in source order */
    const Channel *channels;
    const Touchpoint *touchpoints; /* stand-alone ones */
    const Rule *rules;
    const StateVar *states; /* `state` declarations, in source order */
    const Scenario *scenarios;
    const Comment *comments; /* every comment of the file, in source order */
};

/* `scenario NAME "label" { ... }`: a what-if version of the journey, an overlay on it. Its
 * declarations are kept in a Module of their own (`body`: stages and `extend stage` blocks,
 * stand-alone touchpoints, personas, rules, channels) that the checker applies after every file's
 * own, when it checks that scenario (sema_check_scenario); `removals` are its `remove rule` and
 * `remove touchpoint` items. The journey's own check ignores scenarios but for their names. */
struct Scenario {
    Name name;
    Str label;
    Loc loc;            /* the whole block, from `scenario` to its '}' */
    const Module *body;
    const Removal *removals;
    const Scenario *next;
};

#endif
