/* skyline.c: profile LU factorisation and solves (see skyline.h). Pure numerics: knows nothing
 * of journeys. */
#include "skyline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

void rt_sky_init(RtSky *a, int n, const int *lo, const int *top)
{
    a->n = n;
    a->lo = xcalloc((size_t)n + 1, sizeof *a->lo);
    a->top = xcalloc((size_t)n + 1, sizeof *a->top);
    a->loff = xcalloc((size_t)n + 1, sizeof *a->loff);
    a->uoff = xcalloc((size_t)n + 1, sizeof *a->uoff);
    size_t nl = 0, nu = 0;
    for (int i = 0; i < n; i++) {
        a->lo[i] = lo[i];
        a->top[i] = top[i];
        a->loff[i] = nl;
        a->uoff[i] = nu;
        nl += (size_t)(i - lo[i]);
        nu += (size_t)(i - top[i] + 1);
    }
    a->L = xcalloc(nl + 1, sizeof *a->L);
    a->U = xcalloc(nu + 1, sizeof *a->U);
    a->loff[n] = nl;
    a->uoff[n] = nu;
}

void rt_sky_free(RtSky *a)
{
    free(a->lo);
    free(a->top);
    free(a->loff);
    free(a->uoff);
    free(a->L);
    free(a->U);
    memset(a, 0, sizeof *a);
}

void rt_sky_zero(RtSky *a)
{
    memset(a->L, 0, (a->loff[a->n] + 1) * sizeof *a->L);
    memset(a->U, 0, (a->uoff[a->n] + 1) * sizeof *a->U);
}

void rt_sky_add(RtSky *a, int i, int j, double v)
{
    if (j < i) a->L[a->loff[i] + (size_t)(j - a->lo[i])] += v;
    else a->U[a->uoff[j] + (size_t)(i - a->top[j])] += v;
}

double rt_sky_get(const RtSky *a, int i, int j)
{
    if (j < i) return j >= a->lo[i] ? a->L[a->loff[i] + (size_t)(j - a->lo[i])] : 0;
    return i >= a->top[j] ? a->U[a->uoff[j] + (size_t)(i - a->top[j])] : 0;
}

/* Sum of L[i][k] * U[k][j] for k in [from, to): row i of L and column j of U are contiguous. */
static double dot(const RtSky *a, int i, int j, int from, int to)
{
    const double *l = a->L + a->loff[i] - a->lo[i];
    const double *u = a->U + a->uoff[j] - a->top[j];
    double s = 0;
    for (int k = from; k < to; k++) s += l[k] * u[k];
    return s;
}

/* Doolittle, one step per index j: row j of L (it needs the columns of U before j), then column
 * j of U (it needs the rows of L up to j). */
bool rt_sky_factor(RtSky *a)
{
    for (int j = 0; j < a->n; j++) {
        double *lj = a->L + a->loff[j] - a->lo[j];
        for (int k = a->lo[j]; k < j; k++) {
            int from = a->lo[j] > a->top[k] ? a->lo[j] : a->top[k];
            double ukk = a->U[a->uoff[k] + (size_t)(k - a->top[k])];
            lj[k] = (lj[k] - dot(a, j, k, from, k)) / ukk;
        }
        double *uj = a->U + a->uoff[j] - a->top[j];
        for (int i = a->top[j]; i <= j; i++) {
            int from = a->lo[i] > a->top[j] ? a->lo[i] : a->top[j];
            uj[i] -= dot(a, i, j, from, i);
        }
        if (!(fabs(uj[j]) > 0) || !isfinite(uj[j])) return false;
    }
    return true;
}

void rt_sky_solve(const RtSky *a, double *b)
{
    for (int i = 0; i < a->n; i++) { /* L y = b */
        const double *l = a->L + a->loff[i] - a->lo[i];
        double s = b[i];
        for (int k = a->lo[i]; k < i; k++) s -= l[k] * b[k];
        b[i] = s;
    }
    for (int j = a->n - 1; j >= 0; j--) { /* U x = y, by columns */
        const double *u = a->U + a->uoff[j] - a->top[j];
        b[j] /= u[j];
        double x = b[j];
        if (x != 0)
            for (int i = a->top[j]; i < j; i++) b[i] -= u[i] * x;
    }
}

void rt_sky_solve_t(const RtSky *a, double *b)
{
    for (int j = 0; j < a->n; j++) { /* U^T z = b: column j of U is row j of U^T */
        const double *u = a->U + a->uoff[j] - a->top[j];
        double s = b[j];
        for (int i = a->top[j]; i < j; i++) s -= u[i] * b[i];
        b[j] = s / u[j];
    }
    for (int i = a->n - 1; i >= 0; i--) { /* L^T x = z, by rows of L */
        const double *l = a->L + a->loff[i] - a->lo[i];
        double x = b[i];
        if (x != 0)
            for (int k = a->lo[i]; k < i; k++) b[k] -= l[k] * x;
    }
}
