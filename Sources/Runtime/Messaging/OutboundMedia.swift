/// A media attachment: by a hosted https `link` or by a media `id` (uploaded, or received from
/// the user as `message.media_id`).
public struct Media: Sendable, Hashable, Codable {
    /// The kinds of media WhatsApp sends.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// JPEG or PNG, caption allowed.
        case image
        /// MP4 or 3GP, caption allowed.
        case video
        /// AAC, MP3, OGG and others; no caption.
        case audio
        /// Any file, with a file name and caption.
        case document
        /// WebP; no caption.
        case sticker

        /// Whether Meta allows a caption.
        public var takesCaption: Bool { self != .audio && self != .sticker }
    }

    /// What it is.
    public var kind: Kind
    /// A hosted https URL.
    public var link: String?
    /// A media id.
    public var id: String?
    /// A document's file name.
    public var filename: String?

    /// Media from `source`: an https URL is a link, anything else a media id.
    public init(_ kind: Kind, source: String, filename: String? = nil) {
        self.kind = kind
        let source = source.trimmingSpaces
        if source.lowercased().hasPrefix("https://") || source.lowercased().hasPrefix("http://") {
            link = source
        } else {
            id = source
        }
        self.filename = filename
    }

    /// `https://…` or `media 1234`.
    var sourceText: String { link ?? "media \(id ?? "")" }
}

/// A place on the map.
public struct Location: Sendable, Hashable, Codable {
    /// Degrees north.
    public var latitude: Double
    /// Degrees east.
    public var longitude: Double
    /// The place's name.
    public var name: String?
    /// Its address.
    public var address: String?

    /// Creates a location.
    public init(latitude: Double, longitude: Double, name: String? = nil, address: String? = nil) {
        self.latitude = latitude
        self.longitude = longitude
        self.name = name
        self.address = address
    }
}

/// A contact card.
public struct Contact: Sendable, Hashable, Codable {
    /// The name as shown.
    public var name: String
    /// Phone numbers.
    public var phones: [String]
    /// Email addresses.
    public var emails: [String]

    /// Creates a card.
    public init(name: String, phones: [String] = [], emails: [String] = []) {
        self.name = name
        self.phones = phones
        self.emails = emails
    }
}

/// A WhatsApp template message: an approved template and the values of its parameters.
public struct TemplateMessage: Sendable, Hashable, Codable {
    /// A body parameter: positional (no name) or named.
    public struct Parameter: Sendable, Hashable, Codable {
        /// The parameter's name for named templates.
        public var name: String?
        /// Its value.
        public var text: String

        /// Creates a parameter.
        public init(name: String? = nil, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// A value for one of the template's buttons.
    public struct ButtonValue: Sendable, Hashable, Codable {
        /// `quick_reply` (a payload that comes back on a tap) or `url` (a suffix of the button's URL).
        public var kind: String
        /// The button's position among the template's buttons.
        public var index: Int
        /// The payload or URL suffix.
        public var value: String

        /// Creates a button value.
        public init(kind: String, index: Int, value: String) {
            self.kind = kind
            self.index = index
            self.value = value
        }
    }

    /// The template's name.
    public var name: String
    /// Its language code, such as `en_US`.
    public var language: String
    /// A text header's parameter.
    public var headerText: String?
    /// A media header.
    public var headerMedia: Media?
    /// The body parameters.
    public var body: [Parameter]
    /// The buttons' parameters.
    public var buttons: [ButtonValue]

    /// Creates a template message.
    public init(
        name: String, language: String, headerText: String? = nil, headerMedia: Media? = nil,
        body: [Parameter] = [], buttons: [ButtonValue] = []
    ) {
        self.name = name
        self.language = language
        self.headerText = headerText
        self.headerMedia = headerMedia
        self.body = body
        self.buttons = buttons
    }
}
