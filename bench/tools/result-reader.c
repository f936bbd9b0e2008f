/* result-reader: log in over TCP, send one COM_QUERY and read its whole result set as
 * fast as the socket allows, looking only at packet headers. Prints rows, bytes and the
 * seconds from sending the query to reading its final packet.
 *
 * usage: result-reader HOST PORT USER PASSWORD QUERY
 * build: cc -O2 -o result-reader result-reader.c -lcrypto
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFFER_SIZE (4u << 20)
#define MAX_PAYLOAD 0xffffffu
#define SCRAMBLE_LEN 20

#define CLIENT_LONG_PASSWORD 0x00000001u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_TRANSACTIONS 0x00002000u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_PLUGIN_AUTH 0x00080000u

#define COM_QUERY 0x03

struct stream {
	int fd;
	unsigned char *buf;
	size_t start, end;
	uint64_t bytes_read;
};

static void die(const char *what)
{
	fprintf(stderr, "result-reader: %s\n", what);
	exit(1);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "result-reader: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t le24(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Make at least `need` unread bytes available at s->buf + s->start. */
static void stream_fill(struct stream *s, size_t need)
{
	if (need > BUFFER_SIZE)
		die("packet larger than the read buffer");
	if (s->start + need > BUFFER_SIZE) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	while (s->end - s->start < need) {
		ssize_t n = recv(s->fd, s->buf + s->end, BUFFER_SIZE - s->end, 0);
		if (n == 0)
			die("connection closed by the server");
		if (n < 0 && errno != EINTR)
			die_errno("recv");
		if (n > 0) {
			s->end += (size_t)n;
			s->bytes_read += (uint64_t)n;
		}
	}
}

/* Consume n bytes, buffered or not yet received. */
static void stream_skip(struct stream *s, uint64_t n)
{
	while (n > 0) {
		size_t buffered = s->end - s->start;
		if (buffered == 0) {
			s->start = s->end = 0;
			stream_fill(s, 1);
			continue;
		}
		size_t take = n < buffered ? (size_t)n : buffered;
		s->start += take;
		n -= take;
	}
}

/* Read one whole packet into the buffer; returns its payload, sets len and seq. */
static const unsigned char *read_packet(struct stream *s, uint32_t *len, uint8_t *seq)
{
	stream_fill(s, 4);
	*len = le24(s->buf + s->start);
	*seq = s->buf[s->start + 3];
	stream_fill(s, 4 + (size_t)*len);
	const unsigned char *payload = s->buf + s->start + 4;
	s->start += 4 + (size_t)*len;
	return payload;
}

static void send_packet(int fd, uint8_t seq, const void *payload, size_t len)
{
	unsigned char *packet = malloc(4 + len);
	if (!packet)
		die("out of memory");
	packet[0] = len & 0xff;
	packet[1] = (len >> 8) & 0xff;
	packet[2] = (len >> 16) & 0xff;
	packet[3] = seq;
	memcpy(packet + 4, payload, len);
	for (size_t sent = 0; sent < 4 + len;) {
		ssize_t n = send(fd, packet + sent, 4 + len - sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			die_errno("send");
		if (n > 0)
			sent += (size_t)n;
	}
	free(packet);
}

static void die_with_err_packet(const unsigned char *p, uint32_t len)
{
	/* 0xff, 2-byte code, '#', 5-byte SQLSTATE, message */
	unsigned code = len >= 3 ? p[1] | p[2] << 8 : 0;
	int skip = len >= 9 && p[3] == '#' ? 9 : 3;
	fprintf(stderr, "result-reader: server error %u: %.*s\n", code,
		(int)(len > (uint32_t)skip ? len - skip : 0), (const char *)p + skip);
	exit(1);
}

/* mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))) */
static void native_password_token(const char *password, const unsigned char *scramble,
				  unsigned char token[SHA_DIGEST_LENGTH])
{
	unsigned char stage1[SHA_DIGEST_LENGTH], stage2[SHA_DIGEST_LENGTH];
	unsigned char salted[SCRAMBLE_LEN + SHA_DIGEST_LENGTH];
	SHA1((const unsigned char *)password, strlen(password), stage1);
	SHA1(stage1, sizeof stage1, stage2);
	memcpy(salted, scramble, SCRAMBLE_LEN);
	memcpy(salted + SCRAMBLE_LEN, stage2, sizeof stage2);
	SHA1(salted, sizeof salted, token);
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		token[i] ^= stage1[i];
}

/* Pull the 20-byte scramble out of a protocol-10 handshake packet. */
static void handshake_scramble(const unsigned char *p, uint32_t len, unsigned char *scramble)
{
	if (len < 1 || p[0] != 10)
		die(len >= 1 && p[0] == 0xff ? "server refused the connection" : "not a v10 handshake");
	const unsigned char *version_end = memchr(p + 1, 0, len - 1);
	if (!version_end)
		die("malformed handshake");
	const unsigned char *part1 = version_end + 1 + 4;	/* after the connection id */
	const unsigned char *part2 = part1 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10;
	if (part2 + 12 > p + len)
		die("handshake too short");
	memcpy(scramble, part1, 8);
	memcpy(scramble + 8, part2, 12);
}

static size_t put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (v >> (8 * i)) & 0xff;
	return 4;
}

static size_t put_cstring(unsigned char *p, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(p, s, n);
	return n;
}

static void send_handshake_response(int fd, uint8_t seq, const char *user, const char *password,
				    const unsigned char *scramble)
{
	unsigned char packet[512];
	size_t n = 0;
	if (strlen(user) > 256)
		die("user name too long");
	n += put_le32(packet + n, CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS |
				  CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH);
	n += put_le32(packet + n, MAX_PAYLOAD);
	packet[n++] = 33;	/* utf8_general_ci */
	memset(packet + n, 0, 23);
	n += 23;
	n += put_cstring(packet + n, user);
	if (*password) {
		packet[n++] = SHA_DIGEST_LENGTH;
		native_password_token(password, scramble, packet + n);
		n += SHA_DIGEST_LENGTH;
	} else {
		packet[n++] = 0;
	}
	n += put_cstring(packet + n, "mysql_native_password");
	send_packet(fd, seq, packet, n);
}

/* Answer auth-switch requests until the server says OK. */
static void finish_auth(struct stream *s, const char *password)
{
	for (;;) {
		uint32_t len;
		uint8_t seq;
		const unsigned char *p = read_packet(s, &len, &seq);
		if (len >= 1 && p[0] == 0x00)
			return;
		if (len >= 1 && p[0] == 0xff)
			die_with_err_packet(p, len);
		if (len < 1 || p[0] != 0xfe)
			die("unsupported authentication exchange");
		const unsigned char *plugin_end = memchr(p + 1, 0, len - 1);
		if (!plugin_end || strcmp((const char *)p + 1, "mysql_native_password") != 0)
			die("server asked for an authentication plugin other than mysql_native_password");
		if (plugin_end + 1 + SCRAMBLE_LEN > p + len)
			die("auth switch request too short");
		unsigned char token[SHA_DIGEST_LENGTH];
		native_password_token(password, plugin_end + 1, token);
		send_packet(s->fd, seq + 1, token, *password ? sizeof token : 0);
	}
}

static void log_in(struct stream *s, const char *user, const char *password)
{
	uint32_t len;
	uint8_t seq;
	unsigned char scramble[SCRAMBLE_LEN];
	const unsigned char *p = read_packet(s, &len, &seq);
	handshake_scramble(p, len, scramble);
	send_handshake_response(s->fd, seq + 1, user, password, scramble);
	finish_auth(s, password);
}

/* Read a result set without keeping it: returns the number of rows. */
static uint64_t drain_result(struct stream *s)
{
	uint32_t len;
	uint8_t seq;
	const unsigned char *p = read_packet(s, &len, &seq);
	if (len >= 1 && p[0] == 0xff)
		die_with_err_packet(p, len);
	if (len >= 1 && p[0] == 0x00)
		return 0;	/* OK: not a result set */
	uint64_t columns = p[0];
	if (p[0] >= 0xfb)
		die("unexpected column count encoding");
	for (uint64_t i = 0; i < columns; i++)
		read_packet(s, &len, &seq);
	p = read_packet(s, &len, &seq);	/* EOF after the column definitions */
	if (len < 1 || p[0] != 0xfe)
		die("missing EOF after column definitions");

	uint64_t rows = 0;
	int continuation = 0;
	for (;;) {
		stream_fill(s, 5);
		len = le24(s->buf + s->start);
		unsigned char first = s->buf[s->start + 4];
		if (!continuation && first == 0xff && len < MAX_PAYLOAD) {
			stream_fill(s, 4 + (size_t)len);
			die_with_err_packet(s->buf + s->start + 4, len);
		}
		if (!continuation && first == 0xfe && len < 9)
			break;
		if (!continuation)
			rows++;
		continuation = len == MAX_PAYLOAD;
		stream_skip(s, 4 + (uint64_t)len);
	}
	stream_skip(s, 4 + (uint64_t)len);
	return rows;
}

static int connect_tcp(const char *host, const char *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		die("HOST must be an IPv4 address");
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		die_errno("socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die_errno("connect");
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s HOST PORT USER PASSWORD QUERY\n", argv[0]);
		return 2;
	}
	struct stream s = { .fd = connect_tcp(argv[1], argv[2]), .buf = malloc(BUFFER_SIZE) };
	if (!s.buf)
		die("out of memory");
	log_in(&s, argv[3], argv[4]);

	const char *query = argv[5];
	size_t query_len = strlen(query);
	unsigned char *command = malloc(1 + query_len);
	if (!command)
		die("out of memory");
	command[0] = COM_QUERY;
	memcpy(command + 1, query, query_len);

	s.bytes_read = 0;
	double started = now_seconds();
	send_packet(s.fd, 0, command, 1 + query_len);
	uint64_t rows = drain_result(&s);
	double seconds = now_seconds() - started;

	printf("rows=%llu bytes=%llu seconds=%.6f\n", (unsigned long long)rows,
	       (unsigned long long)s.bytes_read, seconds);
	free(command);
	free(s.buf);
	close(s.fd);
	return 0;
}
