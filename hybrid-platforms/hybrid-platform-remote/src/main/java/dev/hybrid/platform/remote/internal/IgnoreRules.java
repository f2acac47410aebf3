package dev.hybrid.platform.remote.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .nniignore} file, in gitignore syntax as NNI reads it: {@code #} comments, {@code !} to
 * re-include, a trailing {@code /} for directories only, a leading or inner {@code /} to anchor at the code directory,
 * {@code *}, {@code ?}, {@code [...]} and {@code **}. The last matching rule wins; as in git, a file inside an excluded
 * directory cannot be re-included.
 */
public final class IgnoreRules {
    private record Rule(Pattern pattern, boolean negated, boolean directoryOnly) {
    }

    private final List<Rule> rules;

    private IgnoreRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No rules: nothing is ignored. */
    public static IgnoreRules none() {
        return new IgnoreRules(List.of());
    }

    /** Parses the text of a {@code .nniignore} file. */
    public static IgnoreRules parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\r?\n")) {
            String line = stripTrailingSpaces(raw);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean negated = false;
            if (line.startsWith("!")) {
                negated = true;
                line = line.substring(1);
            } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
                line = line.substring(1);
            }
            boolean dirOnly = line.endsWith("/");
            if (dirOnly) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                continue;
            }
            boolean anchored = line.contains("/");
            if (line.startsWith("/")) {
                line = line.substring(1);
            }
            String body = toRegex(line);
            String regex = anchored || line.startsWith("**/") ? body : "(?:.*/)?" + body;
            rules.add(new Rule(Pattern.compile(regex), negated, dirOnly));
        }
        return new IgnoreRules(rules);
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ' && !(end > 1 && s.charAt(end - 2) == '\\')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int n = glob.length();
        for (int i = 0; i < n; i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < n && glob.charAt(i + 1) == '*') {
                boolean slashBefore = i == 0 || glob.charAt(i - 1) == '/';
                boolean slashAfter = i + 2 == n || glob.charAt(i + 2) == '/';
                if (slashBefore && slashAfter) {
                    if (i + 2 == n) {
                        re.append(".*"); // trailing /**: everything inside
                    } else {
                        re.append("(?:.*/)?"); // **/ : zero or more directories
                        i++;
                    }
                    i++;
                    continue;
                }
                re.append("[^/]*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int close = glob.indexOf(']', i + 2);
                if (close < 0) {
                    re.append("\\[");
                } else {
                    String cls = glob.substring(i + 1, close);
                    if (cls.startsWith("!")) {
                        cls = "^" + cls.substring(1);
                    }
                    re.append('[').append(cls.replace("\\", "\\\\")).append(']');
                    i = close;
                }
            } else if (c == '\\' && i + 1 < n) {
                re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    /**
     * Whether a path is ignored.
     *
     * @param relativePath the path relative to the code directory, {@code /}-separated, without a leading {@code /}
     * @param directory whether it is a directory
     */
    public boolean isIgnored(String relativePath, boolean directory) {
        boolean ignored = false;
        for (Rule r : rules) {
            if (r.directoryOnly && !directory) {
                continue;
            }
            if (r.pattern.matcher(relativePath).matches()) {
                ignored = !r.negated;
            }
        }
        return ignored;
    }
}
