{
  "targets": [
    {
      "target_name": "sd_notify",
      "sources": ["sd_notify.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
