/* chassis-error.h: the chassis' GError domain. Messages are written to be
 * printed as "tessera: <message>" on one line. */
#ifndef TESSERA_CHASSIS_ERROR_H
#define TESSERA_CHASSIS_ERROR_H

#include <glib.h>

#define TSR_CHASSIS_ERROR (tsr_chassis_error_quark())

typedef enum {
  TSR_CHASSIS_ERROR_OPTION,  /* a bad option, value or defaults file */
  TSR_CHASSIS_ERROR_PLUGIN,  /* a plugin cannot be found, loaded or started */
  TSR_CHASSIS_ERROR_SYSTEM,  /* a system call failed (errno in the message) */
} TsrChassisError;

/* Returns the quark of TSR_CHASSIS_ERROR. */
GQuark tsr_chassis_error_quark(void);

#endif
