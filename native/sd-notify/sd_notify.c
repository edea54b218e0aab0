// send(socketPath, message): one datagram to systemd's NOTIFY_SOCKET. Node has no unix datagram sockets, and this is
// all of sd_notify(3) the daemon needs; no libsystemd, so nothing to install on the appliance. See docs/watchdog.md.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

// Throws Error(message) with err.errno set; the TypeScript side maps the number to its name (os.constants.errno).
static void throw_errno(napi_env env, const char *what, int err) {
  char text[160];
  snprintf(text, sizeof text, "%s: %s", what, strerror(err));
  napi_value message, error, number;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, NULL, message, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_throw(env, error);
}

static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t path_len = 0, message_len = 0;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], NULL, 0, &path_len) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], NULL, 0, &message_len) != napi_ok) {
    napi_throw_type_error(env, NULL, "send(socketPath: string, message: string)");
    return NULL;
  }
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  // sun_path is 108 bytes and a path socket needs its NUL there: 107 bytes at most (systemd's own are far shorter).
  if (path_len < 2 || path_len >= sizeof addr.sun_path) {
    throw_errno(env, "notify socket path is empty or longer than 107 bytes", EINVAL);
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &path_len);
  if (addr.sun_path[0] != '/' && addr.sun_path[0] != '@') {
    throw_errno(env, "notify socket path must start with / or @", EINVAL);
    return NULL;
  }
  char message[4096];  // systemd reads at most PIPE_BUF bytes of one notification
  if (message_len >= sizeof message) {
    throw_errno(env, "notify message longer than 4095 bytes", EMSGSIZE);
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[1], message, sizeof message, &message_len);
  // An abstract socket's name starts with a NUL and its length is the address length: no trailing NUL counted.
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  else addr_len += 1;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket", errno);
    return NULL;
  }
  // Blocking like libsystemd, but bounded: a busy PID 1 must not freeze the event loop for long.
  struct timeval timeout = {.tv_sec = 0, .tv_usec = 200000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ssize_t sent = sendto(fd, message, message_len, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
  int err = errno;
  close(fd);
  if (sent < 0) throw_errno(env, "sendto", err);
  else if ((size_t)sent != message_len) throw_errno(env, "sendto (short write)", EMSGSIZE);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, send_datagram, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  return exports;
}
