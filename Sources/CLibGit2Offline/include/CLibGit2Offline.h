#ifndef CLIBGIT2_OFFLINE_H
#define CLIBGIT2_OFFLINE_H

/* How many times libgit2 asked mbedTLS to load a certificate file, each answered with none. */
int clibgit2_offline_certificate_loads(void);

#endif
