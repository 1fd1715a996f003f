package dev.pgferry.web;

import java.util.Objects;
import org.springframework.stereotype.Component;

/** Number formats for templates ({@code @formats} in Thymeleaf). */
@Component("formats")
public class Formats {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    public String bytes(Long bytes) {
        if (bytes == null) {
            return "—";
        }
        double value = Math.max(bytes, 0);
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? (long) value + " B" : String.format("%.1f %s", value, UNITS[unit]);
    }

    public String worstLag(MappingView mapping) {
        return bytes(mapping.databases().stream().map(MappingView.DatabaseView::lagBytes).filter(Objects::nonNull)
                .max(Long::compare).orElse(null));
    }
}
