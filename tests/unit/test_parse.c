/* test_parse.c - the pure decoders and printers, on crafted bytes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <jansson.h>

#include "model/sysent.h"
#include "output/events.h"
#include "model/parse.h"
#include "model/print.h"
#include "tests/unit/unit.h"

static void sockaddr_in_roundtrip(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	struct nst_addr a, b;
	char s[64];

	inet_pton(AF_INET, "192.168.29.2", &sin.sin_addr);
	CHECK(parse_sockaddr(&sin, sizeof(sin), &a) == 0);
	CHECK(a.family == AF_INET && a.port == 53);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "192.168.29.2:53");
	CHECK(parse_addr(s, &b) == 0);
	CHECK(!memcmp(a.u.in4, b.u.in4, 4) && b.port == 53);
}

static void sockaddr_in6_roundtrip(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(5353) };
	struct nst_addr a, b;
	char s[64];

	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	CHECK(parse_sockaddr(&sin6, sizeof(sin6), &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "[::1]:5353");
	CHECK(parse_addr(s, &b) == 0 && b.family == AF_INET6 && b.port == 5353);
}

static void sockaddr_short_is_rejected(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct nst_addr a;

	CHECK(parse_sockaddr(&sin, 4, &a) == -EINVAL);
	CHECK(a.family == AF_UNSPEC);
	CHECK(parse_sockaddr(&sin, 1, &a) == -EINVAL);
	CHECK(parse_sockaddr(&sin, 0, &a) == -EINVAL);
}

static void sockaddr_unix_paths(void)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct nst_addr a;
	char s[160];

	strcpy(un.sun_path, "/run/docker.sock");
	CHECK(parse_sockaddr(&un, sizeof(un), &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "unix:/run/docker.sock");
	/* abstract: a leading NUL and an explicit length */
	memcpy(un.sun_path, "\0abs", 4);
	CHECK(parse_sockaddr(&un, offsetof(struct sockaddr_un, sun_path) + 4, &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "unix:@abs");
	/* an unterminated 108-byte path must not be read past */
	memset(un.sun_path, 'x', sizeof(un.sun_path));
	CHECK(parse_sockaddr(&un, sizeof(un), &a) == 0);
	CHECK(strlen(a.u.unix_path) == sizeof(un.sun_path));
}

static void unknown_family_falls_back_to_number(void)
{
	uint16_t raw[8] = { 77 };
	struct nst_addr a;
	char s[64];

	CHECK(parse_sockaddr(raw, sizeof(raw), &a) == 0);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "family#77");
	CHECK(family_name(77) == NULL);
	CHECK(socktype_name(9) == NULL);
}

static void parse_addr_rejects_garbage(void)
{
	struct nst_addr a;

	CHECK(parse_addr("1.2.3.4", &a) == -EINVAL);
	CHECK(parse_addr("1.2.3.4:99999", &a) == -EINVAL);
	CHECK(parse_addr("[::1:53", &a) == -EINVAL);
	CHECK(parse_addr("x.y:53", &a) == -EINVAL);
	CHECK(parse_addr("netlink:", &a) == -EINVAL);
	CHECK(parse_addr("netlink:12x", &a) == -EINVAL);
	CHECK(parse_addr("netlink:99999999999", &a) == -EINVAL);
}

static void netlink_addresses_round_trip(void)
{
	struct nst_addr a;
	char s[64];

	CHECK(parse_addr("netlink:16346", &a) == 0 && a.family == AF_NETLINK && a.scope_id == 16346);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "netlink:16346");
	/* other families print, and parse back, by number (AF_PACKET: ARP) */
	CHECK(parse_addr("family#17", &a) == 0 && a.family == 17);
	print_addr(s, sizeof(s), &a);
	CHECK_STR(s, "family#17");
	CHECK(parse_addr("family#x", &a) == -EINVAL);
}

static void fd_links_are_classified(void)
{
	uint64_t ino;

	CHECK(parse_fd_link("socket:[11053]", &ino) == LINK_SOCKET && ino == 11053);
	CHECK(parse_fd_link("net:[4026531833]", &ino) == LINK_NETNS && ino == 4026531833ull);
	CHECK(parse_fd_link("/run/docker/netns/8952a65ca06b", &ino) == LINK_NSFS_PATH);
	CHECK(parse_fd_link("pipe:[5]", &ino) == LINK_OTHER);
	CHECK(parse_fd_link("socket:[12", &ino) == LINK_OTHER);
	CHECK(parse_fd_link("socket:[]", &ino) == LINK_OTHER);
	CHECK(parse_fd_link("anon_inode:[pidfd]", &ino) == LINK_OTHER);
}

static void quoted_like_strace(void)
{
	/* The write() of the seed article, byte for byte. */
	static const uint8_t q[] = "w\364\1\0\0\1\0\0\0\0\0\0\00278\003143\003241\003199\7in-addr\4arpa\0\0\f\0\1";
	char out[512];

	print_quoted(out, sizeof(out), q, sizeof(q) - 1, 0);
	CHECK_STR(out, "\"w\\364\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\00278\\003143\\003241\\003199"
		       "\\7in-addr\\4arpa\\0\\0\\f\\0\\1\"");
	print_quoted(out, sizeof(out), (const uint8_t *)"a\"b\\\n", 5, 1);
	CHECK_STR(out, "\"a\\\"b\\\\\\n\"...");
}

static void quoted_output_is_bounded(void)
{
	uint8_t big[4096];
	char out[64];

	memset(big, 0xff, sizeof(big));
	CHECK(print_quoted(out, sizeof(out), big, sizeof(big), 0) < sizeof(out));
	CHECK(strlen(out) < sizeof(out));
	CHECK(strstr(out, "...") != NULL);
}

static void hex_roundtrip_and_errors(void)
{
	const uint8_t in[] = { 0x00, 0x7f, 0xff, 0x10 };
	uint8_t back[8];
	char hex[16];

	print_hex(hex, in, sizeof(in));
	CHECK_STR(hex, "007fff10");
	CHECK(parse_hex(hex, back, sizeof(back)) == 4 && !memcmp(in, back, 4));
	CHECK(parse_hex("0g", back, sizeof(back)) == -EINVAL);
	CHECK(parse_hex("abc", back, sizeof(back)) == -EINVAL);
	CHECK(parse_hex("00112233", back, 2) == -EINVAL);
}

/* A fake tracee: memory is a local buffer, and address 0xbad faults. */
static long fake_reader(void *ctx, uint64_t addr, void *dst, size_t len)
{
	(void)ctx;
	if (addr == 0xbad)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)addr, len);
	return (long)len;
}

static void iov_gathers_across_vectors(void)
{
	char a[] = "\x00\x2d", b[] = "query-body";
	struct iovec iov[2] = { { a, 2 }, { b, 10 } };
	uint8_t out[64];
	int unreadable;

	/* A TCP DNS writev: length prefix and body as two iovecs. */
	CHECK(gather_iov(iov, 2, 12, out, sizeof(out), fake_reader, NULL, &unreadable) == 12);
	CHECK(!unreadable && !memcmp(out, "\x00\x2dquery-body", 12));
	/* The cap wins over both the total and the iov lengths. */
	CHECK(gather_iov(iov, 2, 12, out, 5, fake_reader, NULL, &unreadable) == 5);
	/* Lying lengths: iov_len far past the syscall's return value. */
	iov[1].iov_len = (size_t)1 << 40;
	CHECK(gather_iov(iov, 2, 7, out, sizeof(out), fake_reader, NULL, &unreadable) == 7);
}

static void iov_bad_pointer_is_marked(void)
{
	char a[] = "ab";
	struct iovec iov[2] = { { a, 2 }, { (void *)0xbad, 8 } };
	uint8_t out[64];
	int unreadable;

	CHECK(gather_iov(iov, 2, 10, out, sizeof(out), fake_reader, NULL, &unreadable) == 2);
	CHECK(unreadable == 1);
}

static void clone_flags_named_and_raw(void)
{
	char s[256];

	print_clone_flags(s, sizeof(s), CLONE_NEWNET);
	CHECK_STR(s, "CLONE_NEWNET");
	print_clone_flags(s, sizeof(s), CLONE_NEWNET | 0x1);
	CHECK_STR(s, "CLONE_NEWNET|0x1");
	print_clone_flags(s, sizeof(s), 0);
	CHECK_STR(s, "0");
}

static void event_text_tags_foreign_socket(void)
{
	static const uint8_t q[] = { 'w', 0xf4 };
	struct nst_event ev;
	char line[1024];

	memset(&ev, 0, sizeof(ev));
	ev.tid = 7055;
	nst_event_set_sen(&ev, SEN_write);
	ev.fd = 39;
	ev.fd2 = -1;
	ev.ret = 45;
	ev.flags = NST_EV_SOCK;
	ev.sock.family = AF_INET;
	ev.sock.type = SOCK_DGRAM;
	parse_addr("172.18.0.2:50886", &ev.sock.local);
	parse_addr("192.168.29.2:53", &ev.sock.peer);
	ev.sock.netns.ino = 4026532281ull;
	ev.sock.netns.path = "/run/docker/netns/8952a65ca06b";
	ev.sock.foreign = true;
	ev.payload = q;
	ev.payload_len = 2;
	ev.io_len = 45;
	print_event_text(line, sizeof(line), &ev, NULL);
	CHECK_STR(line, "[pid  7055] write(39<udp 172.18.0.2:50886->192.168.29.2:53 "
			"net:[4026532281] /run/docker/netns/8952a65ca06b FOREIGN>, "
			"\"w\\364\"..., 45) = 45");
}

static void event_json_has_contract_fields(void)
{
	struct nst_event ev;
	struct jw w = { 0 };
	json_t *o;

	memset(&ev, 0, sizeof(ev));
	nst_event_set_sen(&ev, SEN_read);
	ev.fd = 3;
	ev.fd2 = -1;
	ev.ret = -1;
	ev.err = ECONNREFUSED;
	ev.flags = NST_EV_SOCK;
	ev.sock.family = AF_INET;
	ev.sock.type = SOCK_DGRAM;
	ev.sock.netns.ino = 42;
	ev.sock.foreign = true;
	ev.sock.origin = NST_NS_QUERIED;
	CHECK(print_event_json(&w, &ev, NULL) == 0);
	o = json_loadb(w.p, w.len, 0, NULL);
	jw_free(&w);
	CHECK(o != NULL);
	if (!o)
		return;
	CHECK_STR(json_string_value(json_object_get(o, "errno")), "ECONNREFUSED");
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(o, "sock"),
								   "netns"), "ino")) == 42);
	CHECK(json_is_true(json_object_get(json_object_get(o, "sock"), "foreign")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "sock"), "netns_origin")),
		  "queried");
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "sock"), "proto")), "udp");
	json_decref(o);
}

static void errno_names_map_back(void)
{
	for (int e = 1; e < 256; e++) {
		const char *s = errno_name(e);
		if (s)
			CHECK(errno_from_name(s, strlen(s)) == e);
	}
	CHECK(errno_from_name("EWOULDBLOCK", 11) == EAGAIN);
	CHECK(errno_from_name("ECONNREFUSED (Connection refused)", 12) == ECONNREFUSED);
	CHECK(errno_from_name("EAGAI", 5) == 0);
	CHECK(errno_from_name("EAGAINX", 7) == 0);
	CHECK(errno_from_name("", 0) == 0);
	CHECK(errno_from_name("ERESTARTSYS", 11) == 0);
}

int main(void)
{
	RUN(sockaddr_in_roundtrip, "AF_INET sockaddr decodes and prints as ip:port, and parses back");
	RUN(sockaddr_in6_roundtrip, "AF_INET6 sockaddr prints as [ip]:port and parses back");
	RUN(sockaddr_short_is_rejected, "a sockaddr shorter than its family needs is rejected");
	RUN(sockaddr_unix_paths, "unix paths, abstract names, and unterminated paths stay in bounds");
	RUN(unknown_family_falls_back_to_number, "unknown families and types print raw numbers");
	RUN(parse_addr_rejects_garbage, "parse_addr rejects malformed address strings");
	RUN(netlink_addresses_round_trip, "a netlink port id and a family known by number print and parse back (recordings of dockerd's netlink and packet sockets)");
	RUN(fd_links_are_classified, "/proc/PID/fd links classify sockets, netns fds and paths");
	RUN(quoted_like_strace, "payloads quote exactly as strace prints them (the article's write)");
	RUN(quoted_output_is_bounded, "quoting never overruns its output buffer");
	RUN(hex_roundtrip_and_errors, "hex payload encoding round-trips and rejects bad digits");
	RUN(iov_gathers_across_vectors, "iovec gathering joins vectors and caps lying lengths");
	RUN(iov_bad_pointer_is_marked, "an unreadable iovec stops the gather and marks it");
	RUN(clone_flags_named_and_raw, "clone flags print by name with unknown bits raw");
	RUN(event_text_tags_foreign_socket, "text form tags the fd with proto, addresses, netns, FOREIGN");
	RUN(errno_names_map_back, "every errno name the libc prints maps back to its number, EWOULDBLOCK to EAGAIN; a prefix, a longer word or a kernel-only name is none");
	RUN(event_json_has_contract_fields, "JSON form carries errno names, sock netns, origin, foreign");
	return UNIT_DONE();
}
