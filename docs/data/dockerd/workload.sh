#!/bin/bash
# A dockerd workload: API calls, failed pulls, networks, volumes, containers' lifecycles, builds.
set -x
IMG=$1
R=$2
docker version; docker info >/dev/null; docker ps -a; docker images
docker pull alpine:3.19 || true
docker pull registry.example.invalid/app:1 || true
for i in 1 2 3; do docker network create net$R$i; docker network inspect net$R$i >/dev/null; done
docker network create --subnet 10.9$R.0.0/16 subnet$R
for i in 1 2 3; do docker volume create vol$R$i; done
docker run --rm $IMG true
docker run --rm $IMG sh -c 'echo hello; exit 3' || true
docker run --rm $IMG /nonexistent || true
docker run --rm --network net${R}1 $IMG cat /etc/hosts
docker run -d --name web$R -p 18$R80:80 --restart unless-stopped $IMG sleep 600
docker run -d --name db$R -v vol${R}1:/data --memory 64m --network net${R}2 $IMG sleep 600
docker run -d --name job$R --network subnet$R $IMG sh -c 'for i in 1 2 3; do echo $i; sleep 1; done'
docker exec web$R ls /
docker exec web$R sh -c 'exit 2' || true
docker exec -u nobody db$R id
docker logs job$R
docker pause db$R; docker unpause db$R
docker network connect net${R}3 web$R; docker network disconnect net${R}3 web$R
docker cp /etc/hostname web$R:/tmp/h; docker cp web$R:/etc/os-release /tmp/dk/w/os$R
docker stats --no-stream >/dev/null
docker top web$R >/dev/null
docker rename job$R finished$R
docker restart db$R
docker stop -t 2 web$R
docker start web$R
docker kill web$R
docker kill --signal HUP db$R || true
docker wait finished$R || true
docker commit db$R snap$R:1
mkdir -p /tmp/dk/w/b$R && printf 'FROM %s\nRUN echo built > /built\nENV A=%s\nCOPY f /f\nCMD ["cat","/built"]\n' $IMG $R > /tmp/dk/w/b$R/Dockerfile && echo x > /tmp/dk/w/b$R/f
DOCKER_BUILDKIT=0 docker build -t app$R:latest /tmp/dk/w/b$R
docker run --rm app$R:latest
printf 'FROM %s\nRUN exit 7\n' $IMG > /tmp/dk/w/b$R/Dockerfile.bad
DOCKER_BUILDKIT=0 docker build -f /tmp/dk/w/b$R/Dockerfile.bad -t bad$R /tmp/dk/w/b$R || true
docker tag app$R:latest app$R:v2; docker rmi app$R:v2
docker run --name oom$R --memory 8m $IMG sh -c 'x=a; while true; do x=$x$x; done' || true
docker rm -f db$R finished$R oom$R
docker rmi snap$R:1
docker volume rm vol${R}2 vol${R}3; docker volume rm nosuchvol || true
docker network rm net${R}2 net${R}3 subnet$R
docker rm nosuch || true
docker container prune -f; docker image prune -f; docker volume prune -f
