/* eval.h: expressions compiled once into a small stack bytecode, and its interpreter.
 *
 * The compiler (compile.c) folds every constant sub-expression into one constant and resolves
 * every name to an index, so the customer loop never looks a name up. An RtExpr is either absent,
 * a constant (no bytecode at all: the common case, tested first), or a run of RtIns.
 *
 * Ownership: the instructions live in the RtModel that compiled them. */
#ifndef CJM_RT_EVAL_H
#define CJM_RT_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "expr.h"

/* The opcodes: a constant and the names' values, then one per operand word, operator and
 * function of expr.def. An infix operator NAME has three: OP_NAME takes both operands from the stack,
 * OP_NAME_K computes `x NAME k` and OP_K_NAME `k NAME x`, with x the top of the stack and k the
 * instruction's constant (an operand known before the run costs no instruction of its own). */
typedef enum {
    OP_CONST,    /* push k */
    OP_TIME,
    OP_TRAIT,    /* push the customer's trait `arg` (the persona's, or drawn for the customer) */
    OP_STATE,    /* push the customer's state variable `arg` (a flag is 1 or 0) */
    /* OP_MOOD: clamp(curve + experience, -1, 1); OP_STAGE, OP_PERSONA: their indexes; ... */
#define LEAF(name, spelling, token, type, cls) OP_##name,
#define PREFIX(name, spelling, token, prec, operand, result, value) OP_##name,
#define INFIX(name, spelling, token, prec, assoc, operand, result, value) OP_##name, OP_##name##_K, OP_K_##name,
    /* OP_MIN, OP_MAX, ...: over the top `arg` values; OP_VISITS: push visits(stage `arg`);
     * OP_MET, OP_MET_EVER: push the meetings of slot `arg` (RtCtx.met_entry / met_ever) */
#define FUNC(name, spelling, lo, hi, cls, value) OP_##name,
#include "expr.def"
} RtOp;

typedef struct RtIns {
    int32_t op;
    int32_t arg;
    double k;
} RtIns;

typedef enum { RT_EXPR_NONE, RT_EXPR_CONST, RT_EXPR_CODE } RtExprKind;

typedef struct RtExpr {
    RtExprKind kind;
    bool persona_only;  /* its value is fixed for a (persona, stage) pair */
    double k;           /* RT_EXPR_CONST: the value */
    int code, len;      /* RT_EXPR_CODE: instructions [code, code + len) of the model */
    const Expr *src;    /* for messages */
} RtExpr;

/* A customer's visits of one stage. `gen` says which customer they belong to: a worker numbers
 * its customers, so the visits of the previous ones need no clearing (a stale entry reads as 0). */
typedef struct RtVisits {
    uint32_t gen, n;
} RtVisits;

/* What an expression may read about the customer being simulated.
 * Meetings are counted per slot: touchpoint k at slot k, channel h at slot ntouch + h (a channel
 * is met once per meeting of any of its touchpoints). met_entry counts the current stage entry's
 * meetings so far (its touchpoints and its rules' `touch`), met_ever the customer's since the
 * journey began. Both may be NULL when no expression of the model reads them (RtModel.uses_met). */
typedef struct RtCtx {
    double experience;  /* mood = clamp(curve + experience, -1, 1) */
    double curve;       /* the persona's curve value for the current stage */
    double time, revenue, cost;
    int persona, stage;
    const double *traits;   /* the customer's row of trait values: the persona's, or drawn */
    const RtVisits *visits; /* [nstages] */
    uint32_t gen;           /* the customer's number in RtVisits.gen */
    double *state;          /* [nstates]: the customer's state variables; NULL when none */
    const uint32_t *met_entry, *met_ever; /* [ntouch + nchannels], see above */
} RtCtx;

static inline double rt_clamp_mood(double v) { return v < -1 ? -1 : v > 1 ? 1 : v; }

static inline uint32_t rt_visits(const RtCtx *c, int stage)
{
    return c->visits[stage].gen == c->gen ? c->visits[stage].n : 0;
}

/* Runs `len` instructions; `stack` has room for the model's max_stack values. */
double rt_eval_code(const RtIns *code, int len, const RtCtx *c, double *stack);

static inline double rt_eval(const RtExpr *e, const RtIns *code, const RtCtx *c, double *stack)
{
    if (e->kind == RT_EXPR_CONST) return e->k;
    return rt_eval_code(code + e->code, e->len, c, stack);
}

#endif
