# --- shared body: JAVA, JAR and JSA are set above ---
# Hook mode fails open: if Java or the jar is missing, or the JVM dies with anything but 0 (allow) or
# 2 (deny), the tool call proceeds. Copilot CLI denies every tool call when a preToolUse hook exits 1 or 127.
if [ -z "$JAVA" ] || [ ! -x "$JAVA" ]; then JAVA=$(command -v java 2>/dev/null); fi
# The start-up archive (an AOT cache on Java 25+, else a CDS archive) belongs to the java install built it
# with, named in its stamp: with any other java (a JDK change after install) it is not used at all.
CDS=
STAMP=${JSA%.jsa}.stamp
if [ -n "$JAVA" ] && [ -f "$STAMP" ]; then
  version=
  if [ -f "${JAVA%/bin/java}/release" ]; then
    while IFS= read -r line; do
      case $line in JAVA_VERSION=*) version=$line ;; esac
    done < "${JAVA%/bin/java}/release"
  fi
  IFS= read -r stamp < "$STAMP"
  if [ "$stamp" = "$JAVA $version" ]; then
    if [ -f "${JSA%.jsa}.aot" ]; then CDS="-XX:AOTCache=${JSA%.jsa}.aot"
    elif [ -f "$JSA" ]; then CDS="-XX:SharedArchiveFile=$JSA"
    fi
  fi
fi
# The JVM decodes file names with the locale's charset: under C/POSIX (LANG unset, minimal containers) it
# cannot name a non-ASCII path at all. Give it a UTF-8 locale when the agent gave none.
case ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} in
  *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) ;;
  *) LC_ALL=C.UTF-8; export LC_ALL ;;
esac
# The hints printed for people name this launcher by absolute path (nothing puts session-lock on PATH).
case $0 in /*) SESSION_LOCK_LAUNCHER=$0 ;; *) SESSION_LOCK_LAUNCHER=$PWD/$0 ;; esac
export SESSION_LOCK_LAUNCHER
OPTS="-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xmx64m -Xss512k"
# A database store's hook has an archive of its own (the JDBC drivers), so the default hook's stays small.
if [ "$1" = hook ] && [ -n "${SESSION_LOCK_STORE:-}" ] && [ "$CDS" = "-XX:SharedArchiveFile=$JSA" ] \
    && [ -f "${JSA%.jsa}-db.jsa" ]; then
  CDS="-XX:SharedArchiveFile=${JSA%.jsa}-db.jsa"
fi
# SQLite's native library, unpacked once by install beside the jar, instead of a fresh copy in the temp folder
# on every start of a JVM that opens a database store.
SQLITE_LIB=
if [ -n "${SESSION_LOCK_STORE:-}" ] && [ -f "${JAR%/*}/sqlite/libsqlitejdbc.so" ]; then
  SQLITE_LIB=${JAR%/*}/sqlite
fi
if [ "$1" = hook ]; then
  if [ -z "$JAVA" ] || [ ! -f "$JAR" ]; then
    echo "session-lock: cannot start (no java, or $JAR is missing); allowing" >&2
    exit 0
  fi
  # No JVM log line may reach stdout (the agent parses it) or stderr (the deny reason Claude Code shows).
  "$JAVA" ${CDS:+"$CDS"} $OPTS ${SQLITE_LIB:+"-Dorg.sqlite.lib.path=$SQLITE_LIB"} \
    ${SQLITE_LIB:+"-Dorg.sqlite.lib.name=libsqlitejdbc.so"} -Xlog:disable -cp "$JAR" \
    dev.parallelsessionlock.hook.SessionLockMain "$@"
  rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 2 ]; then exit $rc; fi
  echo "session-lock: hook exited with $rc; allowing" >&2
  # Tell the user once per agent process: agents do not show stderr on exit 0.
  mark="${TMPDIR:-/tmp}/session-lock-jvm-$(id -u)-$PPID"
  if [ ! -e "$mark" ]; then
    : > "$mark"
    case " $* " in
      *" --agent copilot "*) ;;
      *) # The launcher's path quoted for sh, then escaped for JSON: the hint runs as printed.
        hint=$(printf '%s' "$SESSION_LOCK_LAUNCHER" | sed -e "s/'/'\\\\''/g" -e 's/\\/\\\\/g' -e 's/"/\\"/g')
        echo "{\"systemMessage\":\"session-lock: its JVM exited with $rc, so the workspace lock is OFF; run: '$hint' doctor\"}" ;;
    esac
  fi
  exit 0
fi
if [ -z "$JAVA" ]; then
  echo "session-lock: no java found; install Java 17 or later, or set JAVA_HOME" >&2
  exit 69
fi
# The commands for people have an archive of their own (picocli), so the hook's stays small.
if [ "$CDS" = "-XX:SharedArchiveFile=$JSA" ] && [ -f "${JSA%.jsa}-commands.jsa" ]; then
  CDS="-XX:SharedArchiveFile=${JSA%.jsa}-commands.jsa"
fi
exec "$JAVA" ${CDS:+"$CDS"} $OPTS ${SQLITE_LIB:+"-Dorg.sqlite.lib.path=$SQLITE_LIB"} \
  ${SQLITE_LIB:+"-Dorg.sqlite.lib.name=libsqlitejdbc.so"} -Xlog:disable -Xlog:all=warning:stderr -cp "$JAR" \
  dev.parallelsessionlock.hook.SessionLockMain "$@"
