package dev.parallelsessionlock.hook.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The one shell tokenizer: a command line as its simple commands, each as its words with quotes removed, the way
 * {@code sh} would split them. It never gives up: what it cannot read exactly it still reads as well as it can
 * (an unterminated quote runs to the end), and says so in {@link Parsed#plain()}.
 *
 * <ul>
 *   <li>{@code | || && ;}, a newline, {@code &} (background), {@code ( ) { }} separate simple commands;</li>
 *   <li>{@code $( )} and back quotes (also inside double quotes) are read as commands of their own, in the order
 *       they appear; the word they stand in gets {@link #SUBSTITUTION} in their place;</li>
 *   <li>redirections ({@code > >> < << 2>&1 &>}) are dropped with their target; a comment runs to the line's end.</li>
 * </ul>
 *
 * <p>{@code plain} is true only when the line is a list of simple commands joined by {@code | || && ;}, and
 * nothing else: no redirection, substitution, background, group, subshell, newline, assignment before a command,
 * unterminated quote, or operator without a command on both sides. {@link ShellCommands} lets a command pass the
 * workspace lease only when it is plain; {@link GitCommands} reads every command, plain or not, since there a
 * miss means a collision, not a denial. Written without lambdas or regexes: it runs on every shell hook call.
 */
final class ShellWords {

  /** Stands in a word for the output of a command substitution, which cannot be known before it runs. */
  static final char SUBSTITUTION = '\u0000';

  /** The simple commands in the order they appear, and whether the line was plain. */
  static final class Parsed {
    final List<List<String>> commands;
    final boolean plain;

    Parsed(List<List<String>> commands, boolean plain) {
      this.commands = commands;
      this.plain = plain;
    }

    List<List<String>> commands() {
      return commands;
    }

    boolean plain() {
      return plain;
    }
  }

  private final String text;
  private final int n;
  private int i;
  private boolean plain = true;
  private final List<List<String>> commands = new ArrayList<>();

  private ShellWords(String text) {
    this.text = text;
    this.n = text.length();
  }

  static Parsed parse(String text) {
    ShellWords words = new ShellWords(text);
    words.list((char) 0);
    return new Parsed(words.commands, words.plain);
  }

  /** One simple command in the making. */
  private static final class Command {
    final List<String> words = new ArrayList<>();
    final StringBuilder word = new StringBuilder();
    boolean inWord;
    /** The next word is a redirection's target, dropped. */
    boolean dropNext;
  }

  /** Reads commands until {@code end} ({@code )} or a back quote; 0: the end of the text), consuming it. */
  private void list(char end) {
    Command command = new Command();
    // Whether a list operator was seen with no command after it yet (a trailing "|" is not plain).
    boolean operatorPending = false;
    boolean anyCommand = false;
    while (i < n) {
      char c = text.charAt(i);
      if (end != 0 && c == end) {
        i++;
        if (finish(command)) {
          anyCommand = true;
          operatorPending = false;
        }
        if (operatorPending) {
          plain = false;
        }
        return;
      }
      if (c == '\'') {
        int close = text.indexOf('\'', i + 1);
        if (close < 0) {
          plain = false;
          close = n;
        }
        command.word.append(text, i + 1, close);
        command.inWord = true;
        i = close + 1;
      } else if (c == '"') {
        doubleQuoted(command);
      } else if (c == '\\') {
        if (i + 1 >= n) {
          plain = false;
          i++;
        } else if (text.charAt(i + 1) == '\n') {
          plain = false; // a line continuation
          i += 2;
        } else {
          command.word.append(text.charAt(i + 1));
          command.inWord = true;
          i += 2;
        }
      } else if (c == ' ' || c == '\t') {
        endWord(command);
        i++;
      } else if (c == '#' && !command.inWord) {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '$' && i + 1 < n && text.charAt(i + 1) == '(') {
        plain = false;
        i += 2;
        substitution(command, ')');
      } else if (c == '`') {
        plain = false;
        i++;
        substitution(command, '`');
      } else if (c == '>' || c == '<' || (c == '&' && i + 1 < n && text.charAt(i + 1) == '>')) {
        redirection(command);
      } else if (c == '|' || c == ';' || c == '&' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '{'
          || c == '}') {
        boolean listOperator = c == '|' || c == ';' || (c == '&' && i + 1 < n && text.charAt(i + 1) == '&');
        if (!listOperator) {
          plain = false; // background, subshell, group, several lines
        }
        boolean had = finish(command);
        if (had) {
          anyCommand = true;
        } else if (listOperator) {
          plain = false; // an operator with no command before it
        }
        operatorPending = listOperator;
        if ((c == '|' || c == '&') && i + 1 < n && (text.charAt(i + 1) == c || (c == '|' && text.charAt(i + 1) == '&'))) {
          i++; // || && |&
        }
        i++;
        command = new Command();
      } else {
        if (c == '=' && command.words.isEmpty()) {
          plain = false; // NAME=value before a command
        }
        command.word.append(c);
        command.inWord = true;
        i++;
      }
    }
    if (end != 0) {
      plain = false; // an unterminated substitution
    }
    if (finish(command)) {
      anyCommand = true;
      operatorPending = false;
    }
    if (operatorPending && anyCommand) {
      plain = false;
    }
  }

  /** A double-quoted part of a word: {@code \} escapes only {@code $ ` " \} and a newline, as in sh. */
  private void doubleQuoted(Command command) {
    command.inWord = true;
    i++;
    while (i < n) {
      char d = text.charAt(i);
      if (d == '"') {
        i++;
        return;
      }
      if (d == '\\' && i + 1 < n) {
        char next = text.charAt(i + 1);
        if (next == '$' || next == '`' || next == '"' || next == '\\') {
          command.word.append(next);
        } else if (next != '\n') {
          command.word.append(d).append(next);
        }
        i += 2;
      } else if (d == '$' && i + 1 < n && text.charAt(i + 1) == '(') {
        plain = false;
        i += 2;
        substitution(command, ')');
      } else if (d == '`') {
        plain = false;
        i++;
        substitution(command, '`');
      } else {
        command.word.append(d);
        i++;
      }
    }
    plain = false; // unterminated
  }

  /** A command substitution: its commands are read as commands; the word it stands in gets a marker. */
  private void substitution(Command command, char end) {
    list(end);
    command.word.append(SUBSTITUTION);
    command.inWord = true;
  }

  /** A redirection operator: drops a file-descriptor number before it and the target after it. */
  private void redirection(Command command) {
    plain = false;
    if (command.inWord && isDigits(command.word)) {
      command.word.setLength(0);
      command.inWord = false;
    } else {
      endWord(command);
    }
    while (i < n && (text.charAt(i) == '>' || text.charAt(i) == '<' || text.charAt(i) == '&'
        || text.charAt(i) == '|')) {
      i++;
    }
    // 2>&1, >&-: the target is glued to the operator; otherwise the next word is.
    if (i < n && text.charAt(i - 1) == '&' && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '-')) {
      while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '-')) {
        i++;
      }
      return;
    }
    command.dropNext = true;
  }

  private static boolean isDigits(StringBuilder word) {
    if (word.length() == 0) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      if (!Character.isDigit(word.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  private static void endWord(Command command) {
    if (!command.inWord) {
      return;
    }
    if (command.dropNext) {
      command.dropNext = false;
    } else {
      command.words.add(command.word.toString());
    }
    command.word.setLength(0);
    command.inWord = false;
  }

  /** Ends the command; true when it had words. */
  private boolean finish(Command command) {
    endWord(command);
    if (command.words.isEmpty()) {
      return false;
    }
    commands.add(command.words);
    return true;
  }
}
