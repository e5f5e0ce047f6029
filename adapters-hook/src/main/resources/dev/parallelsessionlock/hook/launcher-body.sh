# --- shared body: JAVA, JAR and JSA are set above ---
# Hook mode fails open: if Java or the jar is missing, or the JVM dies with anything but 0 (allow) or
# 2 (deny), the tool call proceeds. Copilot CLI denies every tool call when a preToolUse hook exits 1 or 127.
if [ -z "$JAVA" ] || [ ! -x "$JAVA" ]; then JAVA=$(command -v java 2>/dev/null); fi
# A start-up archive when install built one: an AOT cache (Java 25+) or a CDS archive (Java 17+).
CDS=
AOT=${JSA%.jsa}.aot
if [ -f "$AOT" ]; then
  case $AOT in *' '*) ;; *) CDS=-XX:AOTCache=$AOT ;; esac
elif [ -f "$JSA" ]; then
  case $JSA in *' '*) ;; *) CDS=-XX:SharedArchiveFile=$JSA ;; esac
fi
# The JVM decodes file names with the locale's charset: under C/POSIX (LANG unset, minimal containers) it
# cannot name a non-ASCII path at all. Give it a UTF-8 locale when the agent gave none.
case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in
  *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) ;;
  *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac
# The hook names this launcher in the hints it prints (nothing puts session-lock on PATH).
SESSION_LOCK_LAUNCHER=$0; export SESSION_LOCK_LAUNCHER
# JVM warnings go to stderr: the agent parses stdout.
OPTS="-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xmx64m -Xss512k -Xlog:disable -Xlog:all=warning:stderr"
if [ "$1" = hook ]; then
  if [ -z "$JAVA" ] || [ ! -f "$JAR" ]; then
    echo "session-lock: cannot start (no java, or $JAR is missing); allowing" >&2
    exit 0
  fi
  "$JAVA" $CDS $OPTS -cp "$JAR" dev.parallelsessionlock.hook.SessionLockMain "$@"
  rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then exit $rc; fi
  echo "session-lock: hook exited with $rc; allowing" >&2
  exit 0
fi
if [ -z "$JAVA" ]; then
  echo "session-lock: no java found; install Java 17 or later, or set JAVA_HOME" >&2
  exit 69
fi
exec "$JAVA" $CDS $OPTS -cp "$JAR" dev.parallelsessionlock.hook.SessionLockMain "$@"
