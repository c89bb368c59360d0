/// Small built-in word lists for the synthetic county: made-up surnames, streets and towns from syllables, and
/// common forenames. Every name is synthetic; the postcodes use the non-existent area `XX`.
enum SyntheticNames {
    static let forenamesFemale = [
        "Amelia", "Ava", "Chloe", "Daisy", "Ella", "Evie", "Freya", "Grace", "Harper", "Isla", "Ivy", "Lily", "Maisie",
        "Mia", "Olivia", "Poppy", "Rosie", "Ruby", "Sophie", "Willow",
    ]
    static let forenamesMale = [
        "Alfie", "Archie", "Arthur", "Charlie", "Finley", "Freddie", "George", "Harry", "Henry", "Isaac", "Jack", "Jacob",
        "Leo", "Louie", "Noah", "Oliver", "Oscar", "Theo", "Thomas", "William",
    ]
    static let adultFemale = ["Anne", "Claire", "Emma", "Gemma", "Hannah", "Jade", "Kelly", "Laura", "Rachel", "Sarah"]
    static let adultMale = ["Adam", "Ben", "Craig", "Daniel", "Gary", "James", "Lee", "Mark", "Paul", "Steven"]
    static let surnameStarts = [
        "Ash", "Brack", "Cobble", "Dun", "Elder", "Fern", "Gorse", "Hazel", "Ivel", "Junip", "Kestrel", "Linden", "Moss",
        "Nettle", "Osier", "Pebble", "Quill", "Rook", "Sedge", "Thistle", "Umber", "Vetch", "Wold", "Yarrow",
    ]
    static let surnameEnds = [
        "by", "combe", "dale", "field", "ford", "gate", "holt", "hurst", "lock", "more", "ridge", "shaw", "thorpe", "well",
        "wood", "worth",
    ]
    static let streetKinds = ["Road", "Lane", "Close", "Street", "Way", "Drive", "Gardens"]
    static let towns = [
        "Brackmere", "Cobbleham", "Dunwick", "Fernstead", "Gorseley", "Hazelby", "Larkworth", "Mossford", "Nettlecombe",
        "Rookthorpe", "Sedgewell", "Yarrowgate",
    ]
    static let schoolKinds: [SchoolPhase: [String]] = [
        .primary: ["Primary School", "Primary Academy", "Infant and Junior School", "Church of England Primary School"],
        .secondary: ["High School", "Academy", "Community College"],
        .special: ["Special School", "School (special)"],
    ]

    /// The synthetic county's districts (invented names), for the reports to elected members.
    static let districts = ["Northvale", "Eastmoor", "Southbrook", "Westfield"]
}
