#ifndef CLIBGIT2_SHIM_H
#define CLIBGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/commit.h>
#include <git2/sys/odb_backend.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one fixed-signature wrapper per use. */
static inline int clibgit2_verify_object_hashes(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

static inline int clibgit2_cache_objects(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

static inline int clibgit2_set_system_config_search_path(const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, path);
}

static inline int clibgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

/* libgit2 1.5 refuses repositories with extensions.worktreeConfig (git clone --sparse sets it);
 * GitKit reads config.worktree itself (Repository.addWorktreeConfig). */
static inline int clibgit2_allow_worktree_config(void) {
    const char *extensions[] = { "worktreeconfig" };
    return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, (size_t)1);
}

#endif
