/* paths.h: where the cjm program finds its files: the standard library of this installation (or
 * of the build tree it runs from) and the folders of CJM_PATH. The loader (lang/program.h) is told
 * both; it reads no environment and knows nothing of how cjm is installed. */
#ifndef CJM_PATHS_H
#define CJM_PATHS_H

/* The standard library folder for this executable: <exe>/../stdlib when run from the build tree,
 * <exe>/../share/cjm/stdlib when installed, else the folder compiled in from PREFIX. The result
 * is static storage. */
const char *cli_stdlib_dir(void);

/* The folders searched for imports before the standard library: CJM_PATH (':'-separated), or
 * NULL when it is unset or empty. */
const char *cli_import_path(void);

#endif
