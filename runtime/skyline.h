/* skyline.h: LU factorisation of a sparse matrix stored by its profile ("skyline"), for the
 * linear systems of the exact analysis.
 *
 * Row i of L is kept from its first non-zero column lo[i] to the diagonal, column j of U from
 * its first non-zero row top[j] to the diagonal: LU without pivoting creates no fill outside that
 * profile. The matrices of the exact analysis (I - Q for the transient stages of an absorbing
 * chain, and its variants with some rows scaled) are non-singular M-matrices, for which
 * elimination without pivoting exists and is stable; a journey's stages in declaration order make
 * the profile small (most arrows go forward, back edges are short), so factorising takes about
 * n * (profile width)^2 operations instead of n^3.
 *
 * Ownership: rt_sky_free() releases what rt_sky_init() allocated. */
#ifndef CJM_RT_SKYLINE_H
#define CJM_RT_SKYLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct RtSky {
    int n;
    int *lo, *top;        /* [n]: profile of L's rows and U's columns */
    size_t *loff, *uoff;  /* [n]: where each row of L / column of U starts in L / U */
    double *L, *U;
} RtSky;

/* Allocates a zero matrix of order n with the given profile (lo[i] <= i, top[j] <= j; copied). */
void rt_sky_init(RtSky *a, int n, const int *lo, const int *top);
void rt_sky_free(RtSky *a);
void rt_sky_zero(RtSky *a);
/* Adds v to element (i, j), which must lie within the profile. */
void rt_sky_add(RtSky *a, int i, int j, double v);
double rt_sky_get(const RtSky *a, int i, int j);
/* Factorises in place (A = L U, L unit lower). False on a zero or non-finite pivot. */
bool rt_sky_factor(RtSky *a);
/* Solves A x = b (x overwrites b), or A^T x = b, with a factorised A. */
void rt_sky_solve(const RtSky *a, double *b);
void rt_sky_solve_t(const RtSky *a, double *b);

#endif
