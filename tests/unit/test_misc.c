/* SPDX-License-Identifier: ISC */
/* test_misc - the UAPI answer parser, the generated resolver files, and the
 * mountinfo fields a kept view is described by. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "lex.h"
#include "mounts.h"
#include "uapi.h"

int main(void)
{
	char out[1024];
	struct tunnel t;
	int n;

	EXPECT("uapi_success_answer_is_zero", uapi_parse_answer("errno=0\n\n", 9) == 0);
	EXPECT("uapi_error_answer_is_negative_errno", uapi_parse_answer("errno=22\n\n", 10) == -22);
	EXPECT("uapi_get_answer_with_fields", uapi_parse_answer("listen_port=1\nerrno=0\n\n", 23) == 0);
	EXPECT("uapi_answer_without_errno_is_malformed", uapi_parse_answer("\n", 1) == -EBADMSG);
	EXPECT("uapi_garbage_errno_is_malformed", uapi_parse_answer("errno=x1\n\n", 10) == -EBADMSG);

	memset(&t, 0, sizeof(t));
	n = mounts_render_resolv(&t, out, sizeof(out));
	EXPECT("tunnel_without_dns_gets_no_nameserver", n > 0 && !strstr(out, "nameserver"));
	t.n_dns = 2;
	t.dns[0].family = AF_INET;
	memcpy(t.dns[0].bytes, "\x0a\x00\x00\x01", 4);
	t.dns[1].family = AF_INET6;
	t.dns[1].bytes[0] = 0xfd;
	t.dns[1].bytes[15] = 1;
	t.n_search = 1;
	strcpy(t.search[0], "corp.example");
	n = mounts_render_resolv(&t, out, sizeof(out));
	EXPECT("resolv_conf_lists_tunnel_dns_and_search",
	       n > 0 && strstr(out, "nameserver 10.0.0.1\n") && strstr(out, "nameserver fd00::1\n") &&
	       strstr(out, "search corp.example\n"));

	const char host[] = "passwd: files systemd\nhosts:  files mdns4_minimal [NOTFOUND=return] resolve dns myhostname\nnetworks: files";
	n = mounts_render_nsswitch(host, sizeof(host) - 1, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	EXPECT("nsswitch_hosts_line_is_files_dns_only",
	       n > 0 && strstr(out, "hosts: files dns\n") && !strstr(out, "mdns") && !strstr(out, "resolve"));
	EXPECT("nsswitch_other_lines_kept",
	       strstr(out, "passwd: files systemd\n") && strstr(out, "networks: files\n"));
	n = mounts_render_nsswitch("", 0, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	EXPECT("nsswitch_missing_hosts_line_is_added", n > 0 && !strcmp(out, "hosts: files dns\n"));
	n = mounts_render_nsswitch(host, sizeof(host) - 1, out, 20);
	EXPECT("nsswitch_too_small_buffer_is_an_error", n < 0);

	const char mi[] = "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:2 - ext3 /dev/root rw";
	struct span line = { mi, sizeof(mi) - 1 }, mnt, fstype;
	EXPECT("mountinfo_mount_point_and_type_past_optional_fields",
	       lex_mountinfo(line, &mnt, &fstype) && mnt.len == 18 && !memcmp(mnt.p, "/mnt/with\\040space", 18) &&
	       fstype.len == 4 && !memcmp(fstype.p, "ext3", 4));
	const char nodash[] = "36 35 98:0 /mnt1 /mnt rw shared:2 ext3 /dev/root rw";
	EXPECT("mountinfo_line_without_separator_is_not_one",
	       !lex_mountinfo((struct span){ nodash, sizeof(nodash) - 1 }, &mnt, &fstype));
	EXPECT("mountinfo_short_line_is_not_one",
	       !lex_mountinfo((struct span){ "36 35 - nsfs", 12 }, &mnt, &fstype));
	struct span f = lex_field((struct span){ "a  b c", 6 }, 1);
	EXPECT("fields_split_on_runs_of_spaces", f.len == 1 && f.p[0] == 'b');
	f = lex_field((struct span){ "a b", 3 }, 5);
	EXPECT("field_past_the_last_is_empty", f.len == 0);

	return check_verdict("misc");
}
