package dev.gatehouse.proxy.cli;

import dev.gatehouse.net.HostPort;
import dev.gatehouse.net.Cidr;
import dev.gatehouse.net.IpAddress;
import picocli.CommandLine;

/** Turns option text into values; a bad value becomes a usage error (exit 2) that names the input. */
final class Converters {

    private Converters() {
    }

    /** An IP literal; never a host name. */
    static final class Ip implements CommandLine.ITypeConverter<IpAddress> {
        @Override
        public IpAddress convert(String value) {
            try {
                return IpAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT}. */
    static final class Address implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, -1);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST[:PORT]}, port 53 when left out. */
    static final class DnsServer implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, 53);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} or {@code off}. */
    static final class OptionalAddress implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            if (value.equalsIgnoreCase("off")) {
                return null;
            }
            return new Address().convert(value);
        }
    }

    /** A CIDR, or a bare address meaning just that address. */
    static final class Prefix implements CommandLine.ITypeConverter<Cidr> {
        @Override
        public Cidr convert(String value) {
            try {
                String v = value.trim();
                return v.contains("/") ? Cidr.parse(v) : Cidr.parse(v + (v.contains(":") ? "/128" : "/32"));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
