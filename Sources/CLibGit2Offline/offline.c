/*
 * libgit2 is linked in from its static archive, with the static mbedTLS and http-parser it is
 * built with, but without libssh2 and GSSAPI. release never lets libgit2 open a connection:
 * pushes and fetches go through the user's own git (GitKit/GitProgram.swift). Linked against
 * Debian's shared libgit2 1.5, every run mapped libssh2, OpenSSL, mbedTLS and Kerberos (14
 * libraries), ran their start-up code and parsed the whole system CA bundle.
 *
 * What stands in here, hidden so that a library loaded later (an NSS module, say) still finds
 * the real ones:
 *  - The CA bundle: the link wraps mbedtls_x509_crt_parse_file and _parse_path (Package.swift),
 *    so libgit2's start-up loads no certificate. Were libgit2 ever to open TLS, it would trust
 *    no server, never a wrong one.
 *  - libssh2: libssh2_init succeeds and libssh2_exit does nothing (libgit2's start-up and
 *    shutdown); a session cannot be made, so an ssh:// connection fails with "failed to
 *    initialize SSH session".
 *  - GSSAPI, only used for Negotiate over HTTP: it has no mechanism, so Negotiate fails.
 * Every other call here comes only after one of those failures, and refuses as well.
 */
#pragma GCC visibility push(hidden)

#include "CLibGit2Offline.h"

#include <stdatomic.h>
#include <stddef.h>

static atomic_int loads;

struct mbedtls_x509_crt;
int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
    (void)chain;
    (void)path;
    atomic_fetch_add(&loads, 1);
    return 0;
}

/* Where the default location is a folder of certificates instead. */
int __wrap_mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path)
{
    return __wrap_mbedtls_x509_crt_parse_file(chain, path);
}

int clibgit2_offline_certificate_loads(void)
{
    return atomic_load(&loads);
}

int libssh2_init(int flags);
int libssh2_init(int flags)
{
    (void)flags;
    return 0;
}

void libssh2_exit(void);
void libssh2_exit(void) {}

/* An error, or no object. */
#define REFUSING(name) long name(void); long name(void) { return -1; }
#define EMPTY(name) void *name(void); void *name(void) { return NULL; }
/* GSS_S_FAILURE, with a minor status of 0. */
#define GSS_FAILING(name) \
    unsigned name(unsigned *minor); \
    unsigned name(unsigned *minor) { if (minor) *minor = 0; return 13u << 16; }

EMPTY(libssh2_session_init_ex)
/* Past a session: */
EMPTY(libssh2_session_abstract)
REFUSING(libssh2_session_handshake)
REFUSING(libssh2_session_method_pref)
REFUSING(libssh2_session_set_blocking)
REFUSING(libssh2_session_last_error)
REFUSING(libssh2_session_disconnect_ex)
REFUSING(libssh2_session_free)
EMPTY(libssh2_session_hostkey)
EMPTY(libssh2_hostkey_hash)
EMPTY(libssh2_knownhost_init)
REFUSING(libssh2_knownhost_readfile)
REFUSING(libssh2_knownhost_checkp)
REFUSING(libssh2_knownhost_free)
EMPTY(libssh2_userauth_list)
REFUSING(libssh2_userauth_authenticated)
REFUSING(libssh2_userauth_password_ex)
REFUSING(libssh2_userauth_keyboard_interactive_ex)
REFUSING(libssh2_userauth_publickey)
REFUSING(libssh2_userauth_publickey_fromfile_ex)
REFUSING(libssh2_userauth_publickey_frommemory)
EMPTY(libssh2_agent_init)
REFUSING(libssh2_agent_connect)
REFUSING(libssh2_agent_list_identities)
REFUSING(libssh2_agent_get_identity)
REFUSING(libssh2_agent_userauth)
REFUSING(libssh2_agent_disconnect)
REFUSING(libssh2_agent_free)
EMPTY(libssh2_channel_open_ex)
REFUSING(libssh2_channel_process_startup)
REFUSING(libssh2_channel_set_blocking)
REFUSING(libssh2_channel_read_ex)
REFUSING(libssh2_channel_write_ex)
REFUSING(libssh2_channel_close)
REFUSING(libssh2_channel_free)

GSS_FAILING(gss_indicate_mechs)
/* Past the mechanisms: */
GSS_FAILING(gss_import_name)
GSS_FAILING(gss_init_sec_context)
GSS_FAILING(gss_display_status)
GSS_FAILING(gss_delete_sec_context)
GSS_FAILING(gss_release_name)
GSS_FAILING(gss_release_buffer)
GSS_FAILING(gss_release_oid_set)
const void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

#pragma GCC visibility pop
