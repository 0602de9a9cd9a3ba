/* conf.c - loading the policy and tunnel files from CONFDIR, for a launch and
 * for the admin verbs alike. Files are opened by cfgfile.c (owner, mode, size
 * and no symbolic links, checked on the descriptor), parsed with no I/O, and
 * the buffer that held a tunnel file (a private key) is wiped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfgfile.h"
#include "conf.h"
#include "config.h"
#include "record.h"

int conf_load_policy(struct policy *p, report_fn report, void *ctx, char *why, size_t whylen)
{
	char *buf;
	size_t len;
	int r;

	r = cfgfile_read(WGRUN_CONFDIR, "policy", false, CFG_POLICY_MAX, &buf, &len, NULL,
			 why, whylen);
	if (r < 0)
		return r;
	r = policy_parse(p, buf, len, WGRUN_CONFDIR "/policy", report, ctx) ? 0 : -EINVAL;
	cfgfile_release(buf, len);
	return r;
}

int conf_load_tunnel(const char *name, struct tunnel *t, struct tunnel_src *src,
		     report_fn report, void *ctx, char *why, size_t whylen)
{
	char file[TUNNEL_NAME_MAX + 8], path[512], *buf;
	size_t len;
	int r;

	memset(t, 0, sizeof(*t));
	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(path, sizeof(path), "%s/tunnels/%s", WGRUN_CONFDIR, file);
	r = cfgfile_read(WGRUN_CONFDIR "/tunnels", file, true, CFG_TUNNEL_MAX, &buf, &len,
			 &src->id, why, whylen);
	if (r < 0)
		return r;
	src->hash = record_hash(buf, len);
	r = tunnel_parse(t, buf, len, path, report, ctx) ? 0 : -EINVAL;
	cfgfile_release(buf, len);
	src->name = name;
	src->t = t;
	return r;
}

int conf_tunnel_unchanged(const struct tunnel_src *src, char *why, size_t whylen)
{
	char file[TUNNEL_NAME_MAX + 8], *buf;
	struct cfg_identity id;
	size_t len;
	uint64_t hash;
	int r;

	snprintf(file, sizeof(file), "%s.conf", src->name);
	r = cfgfile_read(WGRUN_CONFDIR "/tunnels", file, true, CFG_TUNNEL_MAX, &buf, &len, &id,
			 why, whylen);
	if (r < 0)
		return r;
	hash = record_hash(buf, len);
	cfgfile_release(buf, len);
	if (hash != src->hash || memcmp(&id, &src->id, sizeof(id))) {
		snprintf(why, whylen, "tunnel file %s/tunnels/%s changed during the launch",
			 WGRUN_CONFDIR, file);
		return -ESTALE;
	}
	return 0;
}
