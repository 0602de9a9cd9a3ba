/* SPDX-License-Identifier: ISC */
/* conf.c - loading the policy and tunnel files from CONFDIR, for a launch and
 * for the admin verbs alike. Files are opened by cfgfile.c (owner, mode, size
 * and no symbolic links, checked on the descriptor), parsed with no I/O, and
 * the buffer that held a tunnel file (a private key) is wiped. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfgfile.h"
#include "conf.h"
#include "config.h"
#include "log.h"

int conf_load_policy(struct policy *p, struct conf_stamp *stamp, report_fn report, void *ctx,
		     char *why, size_t whylen)
{
	struct cfg_identity id;
	char *buf;
	size_t len;
	int r;

	r = cfgfile_read(WGRUN_CONFDIR, "policy", false, CFG_POLICY_MAX, &buf, &len, &id,
			 why, whylen);
	if (r < 0)
		return r;
	if (stamp) {
		stamp->id = id;
		stamp->hash = cfgfile_hash(buf, len);
	}
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
	src->hash = cfgfile_hash(buf, len);
	r = tunnel_parse(t, buf, len, path, report, ctx) ? 0 : -EINVAL;
	cfgfile_release(buf, len);
	src->name = name;
	src->t = t;
	return r;
}

/* Is dir/file still the file (identity and contents) of id and hash, and
 * still safe to read? 0, -ESTALE, or -errno; why names the file. */
static int unchanged(const char *dir, const char *file, bool secret, size_t max,
		     const struct cfg_identity *id, uint64_t hash, char *why, size_t whylen)
{
	struct cfg_identity now;
	char *buf;
	size_t len;
	uint64_t h;
	int r;

	r = cfgfile_read(dir, file, secret, max, &buf, &len, &now, why, whylen);
	if (r < 0)
		return r;
	h = cfgfile_hash(buf, len);
	cfgfile_release(buf, len);
	if (h != hash || memcmp(&now, id, sizeof(now))) {
		snprintf(why, whylen, "%s/%s changed during the launch", dir, file);
		return -ESTALE;
	}
	return 0;
}

int conf_tunnel_unchanged(const struct tunnel_src *src, char *why, size_t whylen)
{
	char file[TUNNEL_NAME_MAX + 8];

	snprintf(file, sizeof(file), "%s.conf", src->name);
	return unchanged(WGRUN_CONFDIR "/tunnels", file, true, CFG_TUNNEL_MAX, &src->id, src->hash,
			 why, whylen);
}

int conf_policy_unchanged(const struct conf_stamp *stamp, char *why, size_t whylen)
{
	return unchanged(WGRUN_CONFDIR, "policy", false, CFG_POLICY_MAX, &stamp->id, stamp->hash,
			 why, whylen);
}

/* The tunnel names in CONFDIR/tunnels, sorted; files that are not NAME.conf
 * with a valid NAME are reported to problems (when given) and skipped. */
size_t conf_tunnel_names(char names[][TUNNEL_NAME_MAX + 1], size_t max, int *problems)
{
	DIR *d = opendir(WGRUN_CONFDIR "/tunnels");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t l = strlen(e->d_name);
		char name[TUNNEL_NAME_MAX + 1];

		if (e->d_name[0] == '.')
			continue;
		if (l <= 5 || l - 5 > TUNNEL_NAME_MAX || strcmp(e->d_name + l - 5, ".conf")) {
			if (problems) {
				char shown[128];
				log_escape(shown, sizeof(shown), e->d_name);
				printf("%s/tunnels/%s: not NAME.conf, ignored by wgrun\n", WGRUN_CONFDIR, shown);
				(*problems)++;
			}
			continue;
		}
		memcpy(name, e->d_name, l - 5);
		name[l - 5] = '\0';
		if (!tunnel_name_valid(name)) {
			if (problems) {
				char shown[64];
				log_escape(shown, sizeof(shown), name);
				printf("%s/tunnels/%s.conf: not a valid tunnel name (a-z 0-9 _ -, at most %d)\n",
				       WGRUN_CONFDIR, shown, TUNNEL_NAME_MAX);
				(*problems)++;
			}
			continue;
		}
		/* insertion sort: the list is short */
		size_t i = n++;
		while (i > 0 && strcmp(names[i - 1], name) > 0) {
			memcpy(names[i], names[i - 1], sizeof(names[i]));
			i--;
		}
		memcpy(names[i], name, sizeof(names[i]));
	}
	closedir(d);
	return n;
}

static void report_none(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;	/* reported already, by the launch, or in that file's own check */
}

/* Under the lock: the tunnel file as it is now, never the launch's copy,
 * which may be stale. The launch resolved its Endpoint names; they stand
 * only for the same bytes. -ESTALE when the file changed: the launch reads
 * it again and retries. */
int conf_tunnel_again(const struct tunnel_src *old, struct tunnel *t, struct tunnel_src *src,
		      char *why, size_t whylen)
{
	int errors = 0, r = conf_load_tunnel(old->name, t, src, report_none, &errors, why, whylen);

	if (r == 0 && (src->hash != old->hash || memcmp(&src->id, &old->id, sizeof(src->id))))
		r = -ESTALE;
	if (r == -ESTALE || r == -EINVAL || r == -ENOENT)
		snprintf(why, whylen, "tunnel file %s/tunnels/%s.conf changed during the launch",
			 WGRUN_CONFDIR, old->name);
	if (r < 0) {
		tunnel_free(t);
		return r == -EINVAL || r == -ENOENT ? -ESTALE : r;
	}
	for (size_t i = 0; i < t->n_peers && i < old->t->n_peers; i++)
		t->peers[i].endpoint.addr = old->t->peers[i].endpoint.addr;
	return 0;
}

int conf_check_via(const char *name, const struct tunnel *t, report_fn report, void *ctx)
{
	char chain[VIA_MAX + 1][TUNNEL_NAME_MAX + 1], via[TUNNEL_NAME_MAX + 1], msg[512];
	const char *from = name;
	unsigned line = t->via_line;
	size_t depth;

	snprintf(chain[0], sizeof(chain[0]), "%s", name);
	snprintf(via, sizeof(via), "%s", t->via);
	for (depth = 1; via[0] && depth <= VIA_MAX; depth++) {
		struct tunnel next;
		struct tunnel_src src;
		char why[256];
		int errors = 0, r;

		for (size_t i = 0; i < depth; i++) {
			if (strcmp(chain[i], via))
				continue;
			if (depth == 1)
				snprintf(msg, sizeof(msg), "%s/tunnels/%s.conf line %u: Via names the tunnel itself",
					 WGRUN_CONFDIR, from, line);
			else
				snprintf(msg, sizeof(msg), "%s/tunnels/%s.conf line %u: Via = %s closes a loop through %s",
					 WGRUN_CONFDIR, from, line, via, name);
			report(ctx, msg);
			return -EINVAL;
		}
		r = conf_load_tunnel(via, &next, &src, report_none, &errors, why, sizeof(why));
		if (r < 0) {
			snprintf(msg, sizeof(msg), "%s/tunnels/%s.conf line %u: Via = %s: %s", WGRUN_CONFDIR,
				 from, line, via, r == -ENOENT ? "no such tunnel file" :
				 r == -EINVAL ? "that tunnel file has errors" : why);
			report(ctx, msg);
			return -EINVAL;
		}
		snprintf(chain[depth], sizeof(chain[depth]), "%s", via);
		from = chain[depth];
		line = next.via_line;
		snprintf(via, sizeof(via), "%s", next.via);
		tunnel_free(&next);
	}
	if (!via[0])
		return 0;
	snprintf(msg, sizeof(msg), "%s/tunnels/%s.conf line %u: Via: a chain of more than %d tunnels",
		 WGRUN_CONFDIR, from, line, VIA_MAX);
	report(ctx, msg);
	return -EINVAL;
}
