/*
 * release never lets libgit2 open a network connection: pushes and fetches go through the
 * user's own git (GitKit/GitProgram.swift). Debian builds libgit2 1.5 with mbedTLS, and its
 * git_libgit2_init parses the whole system CA bundle all the same, about 5 ms of every run.
 *
 * This definition stands in for mbedTLS's own. The link exports it, because libgit2 refers
 * to it, and the dynamic linker then binds libgit2's call here: the file is not read and
 * the chain stays empty. Were libgit2 ever to open a TLS connection, it would trust no
 * certificate and fail; it would never trust a wrong one.
 */
#include "CLibGit2Offline.h"

#include <stdatomic.h>

struct mbedtls_x509_crt;

static atomic_int loads;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
    (void)chain;
    (void)path;
    atomic_fetch_add(&loads, 1);
    return 0;
}

int clibgit2_offline_certificate_loads(void)
{
    return atomic_load(&loads);
}
