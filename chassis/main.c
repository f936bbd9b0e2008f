/* main.c: the tessera executable: the chassis with the built-in plugins. */
#include "chassis/chassis-frontend.h"
#include "chassis/chassis-plugins.h"

int main(int argc, char **argv) {
  return tsr_chassis_main(argc, argv, tsr_builtin_plugins);
}
