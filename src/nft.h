/* SPDX-License-Identifier: ISC */
/* nft.h - the tunnel namespace's nftables kill switch. */
#ifndef WGRUN_NFT_H
#define WGRUN_NFT_H

/* Both act in the caller's current network namespace. */

#include <stdbool.h>
#include <stdint.h>

#include "tunnel.h"

/* Install table inet wgrun (replace: atomically in place of an existing one):
 * output and forward drop all but lo and ifname; input drops new connections
 * from ifname, but for t's AllowInbound port list (or none with
 * AllowInbound = yes). 0 or -errno. */
int nft_install(const char *ifname, const struct tunnel *t, bool replace);

/* 0 when table inet wgrun is as nft_install(ifname, t, ..) made it: output
 * and forward hooked with policy drop, the input chain hooked, and exactly
 * its rules, expression for expression, in order; -ESTALE when it differs,
 * else -errno. */
int nft_check(const char *ifname, const struct tunnel *t);

/* The namespace's nftables generation: it grows with every change to any
 * ruleset in it, so an equal one means nothing changed since. 0 or -errno. */
int nft_generation(uint32_t *gen);

/* Wait for any nftables commit in progress in the namespace, and say
 * whether the generation is still gen: 0, -ERESTART when it moved, or
 * -errno. A generation read while a commit was applying is, after this,
 * the generation of what a dump then shows. */
int nft_settled(uint32_t gen);

#endif
