/* gai.c - a resolver client that asks what a C program asks: getaddrinfo
 * for a name (AF_UNSPEC: A and AAAA), built against glibc and, static,
 * against musl (the libc of Alpine images).  Prints each address, or the
 * error; exits 0 when the name resolved, 2 when it did not. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res, *r;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: gai NAME\n");
		return 2;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(argv[1], NULL, &hints, &res)) != 0) {
		printf("error: %s\n", gai_strerror(rc));
		return 2;
	}
	for (r = res; r; r = r->ai_next) {
		const void *a = r->ai_family == AF_INET
					? (const void *)&((struct sockaddr_in *)r->ai_addr)->sin_addr
					: (const void *)&((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;
		printf("%s\n", inet_ntop(r->ai_family, a, buf, sizeof(buf)));
	}
	freeaddrinfo(res);
	return 0;
}
