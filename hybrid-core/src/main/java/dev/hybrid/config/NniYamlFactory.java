package dev.hybrid.config;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.Reader;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Jackson's YAML factory, reading YAML's special floats ({@code .nan}, {@code .inf}, {@code -.inf}, in any of YAML's
 * spellings) as the doubles they are; Jackson's own parser reports them as malformed numbers.
 */
final class NniYamlFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    NniYamlFactory(LoaderOptions options) {
        super(YAMLFactory.builder().loaderOptions(options));
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
        return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }

    @Override
    protected YAMLParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable)
            throws IOException {
        return _createParser(new CharArrayReader(data, offset, len), ctxt);
    }

    /** Decodes the special floats; every other scalar as Jackson does. */
    private static final class Parser extends YAMLParser {
        private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");
        private static final Pattern INF = Pattern.compile("([-+]?)\\.(inf|Inf|INF)");

        Parser(IOContext ctxt, int parserFeatures, int formatFeatures, LoaderOptions options, ObjectCodec codec,
                Reader reader) {
            super(ctxt, parserFeatures, formatFeatures, options, codec, reader);
        }

        @Override
        protected JsonToken _decodeNumberScalar(String value, int len) throws IOException {
            Double special = special(value);
            if (special != null) {
                _cleanedTextValue = value;
                set(special);
                return JsonToken.VALUE_NUMBER_FLOAT;
            }
            return super._decodeNumberScalar(value, len);
        }

        @Override
        protected void _parseNumericValue(int expType) throws IOException {
            Double special = _currToken == JsonToken.VALUE_NUMBER_FLOAT ? special(_cleanedTextValue) : null;
            if (special != null) {
                set(special);
                return;
            }
            super._parseNumericValue(expType);
        }

        @Override
        public Object getNumberValueDeferred() throws IOException {
            Double special = _currToken == JsonToken.VALUE_NUMBER_FLOAT ? special(_cleanedTextValue) : null;
            return special != null ? special : super.getNumberValueDeferred();
        }

        private static Double special(String value) {
            if (value == null) {
                return null;
            }
            if (NAN.matcher(value).matches()) {
                return Double.NaN;
            }
            var inf = INF.matcher(value);
            if (inf.matches()) {
                return inf.group(1).equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return null;
        }

        private void set(double value) {
            _numberDouble = value;
            _numberDoubleDeferred = false;
            _numTypesValid = NR_DOUBLE;
        }
    }
}
