package dev.parallelsessionlock.hook;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * A long-lived stand-in for an agent CLI, run as its own JVM by the end-to-end tests: it is the process a hook's
 * lease names. Each line on stdin is {@code <shell command>\t<payload>}; like Claude Code it runs the command with
 * {@code sh -c}, writes the payload to its stdin, and answers one line: {@code exit\tbase64(stdout)\tbase64(stderr)}.
 */
public final class FakeAgent {

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println("READY " + ProcessHandle.current().pid());
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      int tab = line.indexOf('\t');
      Process hook = new ProcessBuilder("sh", "-c", line.substring(0, tab)).start();
      CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> {
        try {
          return hook.getErrorStream().readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (OutputStream stdin = hook.getOutputStream()) {
        stdin.write(line.substring(tab + 1).getBytes(StandardCharsets.UTF_8));
      } catch (java.io.IOException closedEarly) {
        // the hook may exit without reading all of its input
      }
      byte[] stdout = hook.getInputStream().readAllBytes();
      int exit = hook.waitFor();
      Base64.Encoder b64 = Base64.getEncoder();
      out.println(exit + "\t" + b64.encodeToString(stdout) + "\t" + b64.encodeToString(stderr.get()));
    }
  }
}
