/* test-backend.c: backend addresses and the order clients try them in. */
#include <netinet/in.h>
#include <sys/un.h>
#include "core/backend.h"
#include "core/core-error.h"
#include <string.h>

static void test_parse_forms(void) {
  struct sockaddr_storage addr;
  socklen_t len;
  g_autoptr(GError) error = NULL;

  g_assert_true(tsr_address_parse("127.0.0.1:3307", 3306, &addr, &len, &error));
  g_assert_cmpint(addr.ss_family, ==, AF_INET);
  g_assert_cmpuint(ntohs(((struct sockaddr_in *)&addr)->sin_port), ==, 3307);

  g_assert_true(tsr_address_parse("127.0.0.1", 3306, &addr, &len, &error));
  g_assert_cmpuint(ntohs(((struct sockaddr_in *)&addr)->sin_port), ==, 3306);

  g_assert_true(tsr_address_parse(":4040", 3306, &addr, &len, &error));
  g_assert_cmpuint(ntohs(((struct sockaddr_in *)&addr)->sin_port), ==, 4040);

  g_assert_true(tsr_address_parse("[::1]:3308", 3306, &addr, &len, &error));
  g_assert_cmpint(addr.ss_family, ==, AF_INET6);
  g_assert_cmpuint(ntohs(((struct sockaddr_in6 *)&addr)->sin6_port), ==, 3308);

  g_assert_true(tsr_address_parse("/run/mysqld/mysqld.sock", 3306, &addr, &len, &error));
  g_assert_cmpint(addr.ss_family, ==, AF_UNIX);
  g_assert_cmpstr(((struct sockaddr_un *)&addr)->sun_path, ==, "/run/mysqld/mysqld.sock");
}

static void test_parse_errors(void) {
  const char *bad[] = {"127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:12x", "[::1", "[::1]x"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    struct sockaddr_storage addr;
    socklen_t len;
    g_autoptr(GError) error = NULL;
    g_assert_false(tsr_address_parse(bad[i], 3306, &addr, &len, &error));
    g_assert_error(error, TSR_CORE_ERROR, TSR_CORE_ERROR_ADDRESS);
    g_assert_nonnull(strstr(error->message, bad[i]));
  }
}

static void test_order_fewest_clients_first(void) {
  TsrBackendList *list = tsr_backend_list_new();
  guint order[8];
  guint n;
  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:1", TSR_BACKEND_TYPE_RW, NULL));
  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:2", TSR_BACKEND_TYPE_RW, NULL));
  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:3", TSR_BACKEND_TYPE_RO, NULL));
  tsr_backend_list_get(list, 0)->connected_clients = 5;
  tsr_backend_list_get(list, 1)->connected_clients = 2;
  n = tsr_backend_list_order(list, TSR_BACKEND_TYPE_RW, order, G_N_ELEMENTS(order));
  g_assert_cmpuint(n, ==, 2);
  g_assert_cmpuint(order[0], ==, 1);
  g_assert_cmpuint(order[1], ==, 0);

  /* A down backend goes last, even with fewer clients. */
  tsr_backend_list_get(list, 1)->connected_clients = 0;
  g_assert_true(tsr_backend_mark_down(tsr_backend_list_get(list, 1)));
  g_assert_false(tsr_backend_mark_down(tsr_backend_list_get(list, 1)));
  n = tsr_backend_list_order(list, TSR_BACKEND_TYPE_RW, order, G_N_ELEMENTS(order));
  g_assert_cmpuint(n, ==, 2);
  g_assert_cmpuint(order[0], ==, 0);
  g_assert_cmpuint(order[1], ==, 1);
  tsr_backend_mark_up(tsr_backend_list_get(list, 1));
  n = tsr_backend_list_order(list, TSR_BACKEND_TYPE_RW, order, G_N_ELEMENTS(order));
  g_assert_cmpuint(order[0], ==, 1);
  tsr_backend_list_free(list);
}

static void test_order_falls_back_to_other_type(void) {
  TsrBackendList *list = tsr_backend_list_new();
  guint order[8];
  g_assert_true(tsr_backend_list_add(list, "127.0.0.1:3", TSR_BACKEND_TYPE_RO, NULL));
  g_assert_cmpuint(tsr_backend_list_order(list, TSR_BACKEND_TYPE_RW, order, G_N_ELEMENTS(order)), ==, 1);
  g_assert_cmpuint(order[0], ==, 0);
  tsr_backend_list_free(list);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/backend/parse/forms", test_parse_forms);
  g_test_add_func("/backend/parse/errors", test_parse_errors);
  g_test_add_func("/backend/order/fewest-clients", test_order_fewest_clients_first);
  g_test_add_func("/backend/order/other-type", test_order_falls_back_to_other_type);
  return g_test_run();
}
