#!/bin/sh
# session-lock launcher for the build tree (adapters-hook/target); 'session-lock install' writes a copy
# with fixed paths to a stable place. Works from any directory, with no PATH setup.
case $0 in */*) HERE=${0%/*} ;; *) HERE=. ;; esac
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAR=$HERE/session-lock.jar
JSA=$HERE/session-lock.jsa
