package dev.gatehouse.engine.embedded;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The IANA IPv4/IPv6 special-purpose address registries as IANA publishes them in CSV: RFC 4180
 * quoting (cells with commas, doubled quotes, quoted line breaks), footnote markers such as
 * {@code 192.0.0.0/24 [2]} or {@code False [1]}, and cells holding several blocks
 * ({@code "192.0.0.170/32, 192.0.0.171/32"}).
 *
 * <p>{@code Globally Reachable = False} makes a block a bogon; {@code True} or {@code N/A} (Teredo,
 * 6to4: real clients) marks it as explicitly <em>not</em> a bogon, overriding a shorter bogon block;
 * an empty cell (deprecated rows) says nothing.
 */
final class IanaRegistryParser {

    private static final Pattern FOOTNOTE = Pattern.compile("\\s*\\[\\d+\\]");

    private IanaRegistryParser() {
    }

    static void parse(Reader in, ParseSink sink) throws IOException {
        CsvRecords csv = new CsvRecords(in);
        List<String> header = csv.next();
        if (header == null) {
            sink.problem(1, "empty file");
            return;
        }
        int blockCol = indexOf(header, "address block");
        int reachableCol = indexOf(header, "globally reachable");
        if (blockCol < 0 || reachableCol < 0) {
            sink.problem(1, "header lacks 'Address Block' or 'Globally Reachable': " + header);
            return;
        }
        List<String> row;
        while ((row = csv.next()) != null) {
            int line = csv.recordLine();
            if (row.size() == 1 && row.get(0).isBlank()) {
                continue;
            }
            if (row.size() <= Math.max(blockCol, reachableCol)) {
                sink.problem(line, "expected " + header.size() + " columns, found " + row.size());
                continue;
            }
            String reachable = stripFootnotes(row.get(reachableCol)).toLowerCase(Locale.ROOT);
            Boolean bogon = switch (reachable) {
                case "false" -> Boolean.TRUE;
                case "true", "n/a" -> Boolean.FALSE;
                case "" -> null;
                default -> {
                    sink.problem(line, "'Globally Reachable' is neither True, False nor N/A: '" + reachable + "'");
                    yield null;
                }
            };
            if (bogon == null) {
                continue;
            }
            for (String block : stripFootnotes(row.get(blockCol)).split(",")) {
                // ::ffff:0:0/96 is skipped: IpAddress turns IPv4-mapped addresses into IPv4, which the IPv4 rows cover.
                if (!block.isBlank() && !block.strip().toLowerCase(Locale.ROOT).startsWith("::ffff:")) {
                    sink.prefix(block.strip(), line, !bogon);
                }
            }
        }
    }

    private static String stripFootnotes(String cell) {
        return FOOTNOTE.matcher(cell).replaceAll("").strip();
    }

    private static int indexOf(List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) {
            if (TextListParser.clean(header.get(i)).toLowerCase(Locale.ROOT).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** A small RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks. */
    static final class CsvRecords {
        private final Reader in;
        private int line = 1;
        private int recordLine;
        private int pending = -2;

        CsvRecords(Reader in) {
            this.in = in;
        }

        int recordLine() {
            return recordLine;
        }

        private int read() throws IOException {
            if (pending != -2) {
                int c = pending;
                pending = -2;
                return c;
            }
            return in.read();
        }

        List<String> next() throws IOException {
            int c = read();
            if (c < 0) {
                return null;
            }
            recordLine = line;
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            while (true) {
                if (c < 0) {
                    cells.add(cell.toString());
                    return cells;
                }
                if (quoted) {
                    if (c == '"') {
                        int n = read();
                        if (n == '"') {
                            cell.append('"');
                        } else {
                            quoted = false;
                            c = n;
                            continue;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        cell.append((char) c);
                    }
                } else if (c == '"' && cell.length() == 0) {
                    quoted = true;
                } else if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\r') {
                    int n = read();
                    if (n != '\n') {
                        pending = n;
                    }
                    line++;
                    cells.add(cell.toString());
                    return cells;
                } else if (c == '\n') {
                    line++;
                    cells.add(cell.toString());
                    return cells;
                } else {
                    cell.append((char) c);
                }
                c = read();
            }
        }
    }
}
