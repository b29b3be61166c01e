/* eval.c: the bytecode interpreter of compiled expressions (see eval.h). It only reads the
 * customer's state; it never changes it. Division by zero gives NaN (not infinity), so that a
 * probability built on it is reported as "not a number" instead of silently clamped. */
#include "eval.h"

#include <math.h>

double rt_eval_code(const RtIns *ins, int len, const RtCtx *c, double *stack)
{
    double *sp = stack; /* sp points one past the top */
    for (const RtIns *end = ins + len; ins < end; ins++) {
        switch ((RtOp)ins->op) {
        case OP_CONST: *sp++ = ins->k; break;
        case OP_MOOD: *sp++ = rt_clamp_mood(c->curve + c->experience); break;
        case OP_TIME: *sp++ = c->time; break;
        case OP_REVENUE: *sp++ = c->revenue; break;
        case OP_COST: *sp++ = c->cost; break;
        case OP_TRAIT: *sp++ = c->traits[ins->arg]; break;
        case OP_STAGE: *sp++ = c->stage; break;
        case OP_PERSONA: *sp++ = c->persona; break;
        case OP_VISITS: *sp++ = rt_visits(c, ins->arg); break;
        case OP_NEG: sp[-1] = -sp[-1]; break;
        case OP_NOT: sp[-1] = sp[-1] == 0; break;
        case OP_ABS: sp[-1] = fabs(sp[-1]); break;
        case OP_ADD: sp--; sp[-1] += sp[0]; break;
        case OP_SUB: sp--; sp[-1] -= sp[0]; break;
        case OP_MUL: sp--; sp[-1] *= sp[0]; break;
        case OP_DIV: sp--; sp[-1] = sp[0] == 0 ? NAN : sp[-1] / sp[0]; break;
        case OP_LT: sp--; sp[-1] = sp[-1] < sp[0]; break;
        case OP_LE: sp--; sp[-1] = sp[-1] <= sp[0]; break;
        case OP_GT: sp--; sp[-1] = sp[-1] > sp[0]; break;
        case OP_GE: sp--; sp[-1] = sp[-1] >= sp[0]; break;
        case OP_EQ: sp--; sp[-1] = sp[-1] == sp[0]; break;
        case OP_NE: sp--; sp[-1] = sp[-1] != sp[0]; break;
        case OP_AND: sp--; sp[-1] = sp[-1] != 0 && sp[0] != 0; break;
        case OP_OR: sp--; sp[-1] = sp[-1] != 0 || sp[0] != 0; break;
        case OP_MIN:
        case OP_MAX: {
            int n = ins->arg;
            double r = sp[-n];
            for (int i = 1; i < n; i++) {
                double v = sp[-n + i];
                if (ins->op == OP_MIN ? v < r : v > r) r = v;
            }
            sp -= n - 1;
            sp[-1] = r;
            break;
        }
        case OP_ADDK: sp[-1] += ins->k; break;
        case OP_SUBK: sp[-1] -= ins->k; break;
        case OP_RSUBK: sp[-1] = ins->k - sp[-1]; break;
        case OP_MULK: sp[-1] *= ins->k; break;
        case OP_DIVK: sp[-1] = ins->k == 0 ? NAN : sp[-1] / ins->k; break;
        case OP_LTK: sp[-1] = sp[-1] < ins->k; break;
        case OP_LEK: sp[-1] = sp[-1] <= ins->k; break;
        case OP_GTK: sp[-1] = sp[-1] > ins->k; break;
        case OP_GEK: sp[-1] = sp[-1] >= ins->k; break;
        case OP_EQK: sp[-1] = sp[-1] == ins->k; break;
        case OP_NEK: sp[-1] = sp[-1] != ins->k; break;
        case OP_CLAMP: {
            double hi = sp[-1], lo = sp[-2], v = sp[-3];
            sp -= 2;
            sp[-1] = v < lo ? lo : v > hi ? hi : v;
            break;
        }
        }
    }
    return sp[-1];
}
