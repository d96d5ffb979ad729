# A real nginx on 127.0.0.1 in front of two real backends, for scripts/demo and scripts/bench.
# Source it, then: lab_start DIR DELAY; lab_backend NAME VERSION; lab_stop_backend NAME;
# lab_load_start / lab_load_stop; lab_deploy_config (release deploy's keys and a publish script);
# lab_stop (trap it). Backends are nginx instances answering "NAME VERSION" after DELAY seconds
# (nginx's echo module, shipped with nginx-light).

lab_nginx=$(command -v nginx || echo /usr/sbin/nginx)
lab_echo_module=/usr/lib/nginx/modules/ngx_http_echo_module.so

lab_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

lab_wait_answer() { # PORT PATH: until something answers there
  local tries=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&3 && read -r _ <&3) 2>/dev/null; do
    tries=$((tries + 1)); [ $tries -gt 200 ] && { echo "lab: nothing answers on port $1" >&2; return 1; }
    sleep 0.02
  done
}

lab_start() { # DIR DELAY
  lab_dir=$1 lab_delay=$2
  lab_front_port=$(lab_free_port) lab_app1_port=$(lab_free_port) lab_app2_port=$(lab_free_port)
  lab_backend app1 v1 && lab_backend app2 v1
  lab_conf="$lab_dir/conf" && mkdir -p "$lab_dir/front" "$lab_conf"
  git init -q -b master "$lab_conf"
  cat > "$lab_conf/nginx.conf" <<CONF
pid $lab_dir/front/nginx.pid;
error_log $lab_dir/front/error.log;
worker_processes 2;
events { worker_connections 1024; }
http {
    log_format upstreams '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent \$upstream_addr';
    access_log $lab_dir/front/access.log upstreams;
    include upstream.conf;
    server {
        listen 127.0.0.1:$lab_front_port;
        location / { proxy_pass http://backends; }
    }
}
CONF
  lab_upstream app1 app2
  git -C "$lab_conf" add -A && git -C "$lab_conf" commit -qm "all backends"
  for name in app1 app2; do
    git -C "$lab_conf" checkout -qb "yun-$name" master
    lab_upstream "$name" && git -C "$lab_conf" commit -qam "only $name"
  done
  git -C "$lab_conf" checkout -q master
  local run="$lab_nginx -p $lab_dir/front -c $lab_conf/nginx.conf"
  git -C "$lab_conf" config nginx.validate "$run -t -q"
  git -C "$lab_conf" config nginx.reload "$run -s reload"
  git -C "$lab_conf" config nginx.app1.health "http://127.0.0.1:$lab_app1_port/health"
  git -C "$lab_conf" config nginx.app2.health "http://127.0.0.1:$lab_app2_port/health"
  git -C "$lab_conf" config nginx.app1.answer app1
  git -C "$lab_conf" config nginx.app2.answer app2
  git -C "$lab_conf" config nginx.probe "http://127.0.0.1:$lab_front_port/"
  $run && lab_wait_answer "$lab_front_port" /
}

lab_deploy_config() { # what release deploy needs: instances, their addresses, a publish script, the log
  local publish="$lab_dir/publish" lib
  lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/nginx-lab.sh"
  cat > "$publish" <<SCRIPT
#!/usr/bin/env bash
# publish INSTANCE TAG: stop the instance gracefully, start it again answering "INSTANCE TAG"
set -e
lab_dir='$lab_dir' lab_delay='$lab_delay' lab_app1_port='$lab_app1_port' lab_app2_port='$lab_app2_port'
. '$lib'
lab_stop_backend "\$1" && lab_backend "\$1" "\$2"
SCRIPT
  chmod +x "$publish"
  git -C "$lab_conf" config deploy.instances "app1 app2"
  git -C "$lab_conf" config nginx.app1.server "127.0.0.1:$lab_app1_port"
  git -C "$lab_conf" config nginx.app2.server "127.0.0.1:$lab_app2_port"
  git -C "$lab_conf" config deploy.publish "$publish {instance} {tag}"
  git -C "$lab_conf" config deploy.accessLog "$lab_dir/front/access.log"
}

lab_upstream() { # NAMES…: write upstream.conf routing to these backends
  { echo "upstream backends {"
    for name in "$@"; do eval "echo \"    server 127.0.0.1:\$lab_${name}_port;\""; done
    echo "}"; } > "$lab_conf/upstream.conf"
}

lab_backend() { # NAME VERSION
  local dir="$lab_dir/backend-$1" port; eval "port=\$lab_${1}_port"
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
load_module $lab_echo_module;
pid $dir/nginx.pid;
error_log $dir/error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        location /health { echo ok; }
        location / { echo_sleep $lab_delay; echo "$1 $2"; }
    }
}
CONF
  "$lab_nginx" -p "$dir" -c "$dir/nginx.conf" && lab_wait_answer "$port" /health
}

lab_stop_nginx() { # FOLDER: graceful stop, waiting for requests in flight
  local pidfile="$1/nginx.pid" tries=0
  [ -f "$pidfile" ] || return 0
  kill -QUIT "$(cat "$pidfile")" 2>/dev/null
  while [ -f "$pidfile" ] && [ $tries -lt 600 ]; do sleep 0.05; tries=$((tries + 1)); done
}

lab_stop_backend() { lab_stop_nginx "$lab_dir/backend-$1"; }

lab_load_start() { # CONCURRENCY: request loops on new connections, counted per loop
  lab_load_pids=()
  rm -f "$lab_dir"/load-*.count "$lab_dir/load.stop"
  for i in $(seq 1 "$1"); do
    ( served=0 failed=0
      while [ ! -f "$lab_dir/load.stop" ]; do
        if exec 3<>"/dev/tcp/127.0.0.1/$lab_front_port" 2>/dev/null \
          && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && IFS= read -r status <&3 && [[ $status == *" 200 "* ]]; then
          served=$((served + 1))
        else
          failed=$((failed + 1))
        fi
        cat <&3 >/dev/null 2>&1; exec 3>&- 3<&-
      done
      echo "$served $failed" > "$lab_dir/load-$i.count" ) &
    lab_load_pids+=($!)
  done
}

lab_load_stop() { # sets lab_served and lab_failed (call it in this shell: it waits for the loops)
  touch "$lab_dir/load.stop"
  wait "${lab_load_pids[@]}" || true
  read -r lab_served lab_failed < <(cat "$lab_dir"/load-*.count | awk '{ s += $1; f += $2 } END { print s + 0, f + 0 }')
}

lab_stop() {
  [ -n "${lab_dir:-}" ] || return 0
  touch "$lab_dir/load.stop" 2>/dev/null
  for folder in "$lab_dir/front" "$lab_dir/backend-app1" "$lab_dir/backend-app2"; do
    [ -f "$folder/nginx.pid" ] && kill -TERM "$(cat "$folder/nginx.pid")" 2>/dev/null
  done
  sleep 0.2
}
