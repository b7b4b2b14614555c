package io.heliograph.bridge.tls;

import io.heliograph.bridge.BridgeConfigException;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a certificate names the region of the bridge that holds it. The identity is the URI subject alternative name
 * {@code heliograph://region/<region>}; a certificate without one may name its region by the DNS name
 * {@code <region>.bridge.heliograph} instead (some corporate CAs issue no URI names). Every name of either form in a
 * certificate must agree: a certificate naming two regions names none. Host names and addresses are not identities:
 * a bridge is trusted for the region it holds a certificate for, wherever it is reached.
 */
public final class RegionIdentity {

    /** Prefix of the URI subject alternative name that names a region. */
    public static final String URI_PREFIX = "heliograph://region/";
    /** Suffix of the DNS subject alternative name that names a region. */
    public static final String DNS_SUFFIX = ".bridge.heliograph";

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    // A region name is one DNS label, so that it fits in the DNS name and in file names.
    private static final Pattern REGION = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private RegionIdentity() {
    }

    /** The URI name for a region's certificate. */
    public static String uriName(String region) {
        return URI_PREFIX + requireValidRegion(region, "region");
    }

    /** The DNS name for a region's certificate. */
    public static String dnsName(String region) {
        return requireValidRegion(region, "region") + DNS_SUFFIX;
    }

    /**
     * Checks a region name where it is configured.
     *
     * @param setting the setting it came from, named in the message
     * @throws BridgeConfigException when it is not a lower-case DNS label (a-z, 0-9, '-', 1 to 63 characters)
     */
    public static String requireValidRegion(String region, String setting) {
        if (region == null || !REGION.matcher(region).matches()) {
            throw new BridgeConfigException(setting + " must be a region name (lower-case letters, digits and '-',"
                    + " 1 to 63 characters, not starting or ending with '-'), got "
                    + (region == null ? "nothing" : "'" + region + "'"));
        }
        return region;
    }

    /**
     * The region a certificate names, if it names exactly one.
     *
     * @throws IllegalArgumentException when it names more than one, or its names cannot be read
     */
    public static Optional<String> regionOf(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("unreadable subject alternative names: " + e.getMessage(), e);
        }
        TreeSet<String> fromUri = new TreeSet<>();
        TreeSet<String> fromDns = new TreeSet<>();
        if (names != null) {
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                String value = String.valueOf(name.get(1));
                if (type == SAN_URI && value.startsWith(URI_PREFIX)) {
                    fromUri.add(value.substring(URI_PREFIX.length()));
                } else if (type == SAN_DNS && value.endsWith(DNS_SUFFIX)) {
                    fromDns.add(value.substring(0, value.length() - DNS_SUFFIX.length()));
                }
            }
        }
        TreeSet<String> all = new TreeSet<>(fromUri);
        all.addAll(fromDns);
        if (all.size() > 1) {
            throw new IllegalArgumentException("certificate names several regions " + all + "; it must name one");
        }
        return all.stream().findFirst().filter(region -> REGION.matcher(region).matches());
    }
}
