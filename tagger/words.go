package tagger

// Built-in word lists of discovery. They hold language knowledge that does not depend on the news domain; what does
// (titles, cue words, domain stopwords, ignored phrases) comes from the rule pack's `discovery` lists. Keys are
// lower-case ASCII.

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// functionWords never start an entity: determiners, pronouns, prepositions, conjunctions and sentence adverbs,
// plus weekdays and months.
var functionWords = wordSet(
	"a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his",
	"her", "their", "our", "my", "your", "in", "on", "at", "by", "for", "from", "to", "with", "without", "of", "as",
	"after", "before", "during", "since", "until", "while", "when", "where", "what", "which", "who", "whom", "whose",
	"why", "how", "if", "but", "and", "or", "nor", "so", "yet", "also", "however", "meanwhile", "still", "then",
	"there", "here", "although", "though", "despite", "according", "under", "over", "among", "between", "against",
	"amid", "through", "into", "both", "each", "every", "all", "some", "many", "most", "several", "other",
	"another", "such", "no", "not", "any", "one", "two", "three", "instead", "thus", "therefore", "moreover",
	"furthermore", "besides", "because", "unlike", "like", "about", "above", "below", "near", "outside", "inside",
	"upon", "within", "via", "per", "last", "next", "earlier", "later", "now", "today", "yesterday", "tomorrow",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
	"november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"mr", "mrs", "ms", "dr", "sir", "dear", "yes", "please", "read", "see", "photo", "video", "update", "editor",
	"breaking", "exclusive", "analysis", "opinion", "interview",
)

// connectors may join the capitalized words of one name (`Ministry of Foreign Affairs`), in lower case only.
var connectors = wordSet("of", "the", "for", "and", "on", "by", "de", "du", "del", "des", "la")

// pluralOwners are irregular plurals whose possessive ('s) belongs to a name: `Korean People's Army`,
// `Children's Fund`. Regular plurals take a bare apostrophe (`Workers' Party`), which the run builder joins too.
var pluralOwners = wordSet("people", "children", "women", "men", "peoples")

// platformNouns after a name make it an online platform (`Telegram channel`); postingWords before `on` do
// (`wrote on X`).
var (
	platformNouns = wordSet("channel", "channels", "account", "accounts", "post", "posts", "user", "users",
		"page", "pages", "feed", "handle", "followers", "livestream", "app")
	postingWords = wordSet("posted", "posting", "posts", "post", "wrote", "writing", "writes", "said", "says", "shared",
		"sharing", "uploaded", "message", "messages", "statement", "video", "videos", "account", "channel", "streamed",
		"tweeted", "livestreamed")
)

// orgNouns are common nouns for kinds of organization; a capitalized name right after one is an organization of
// that kind (`the K-pop group Blue Orbit`, `the think tank Asan Forum`, `automaker Kia`).
var orgNouns = wordSet("group", "band", "company", "firm", "startup", "platform", "outlet", "broadcaster",
	"newspaper", "daily", "agency", "label", "network", "charity", "ngo", "tank", "institute", "club", "team",
	"airline", "carrier", "maker", "manufacturer", "conglomerate", "chaebol", "developer", "operator", "retailer",
	"bank", "insurer", "shipbuilder", "automaker", "carmaker", "chipmaker", "lender", "brokerage", "broker",
	"publisher", "studio", "orchestra", "ensemble", "choir", "troupe", "duo", "trio", "quartet", "exchange",
	"foundation", "nonprofit", "organisation", "organization", "union", "party", "portal", "messenger", "service",
	"promoter", "distributor", "restaurant", "eatery", "cafe", "bakery", "brewery", "brand", "chain", "pollster",
	"watchdog", "regulator", "consultancy", "magazine", "website", "provider", "supplier", "exporter", "importer",
	"shipper", "organiser", "organizer", "movement", "coalition", "alliance", "association", "federation",
	"league", "festival", "biennale", "academy", "university", "college", "sect", "theatre", "theater",
	"hotel", "resort", "producer", "franchise", "cooperative", "society", "forum", "council", "committee",
	"commission", "outfit", "militia")

// civicHeads are plural nouns for groups of people that start civic groups' names (`People for Peace`, `Friends of
// the Earth`, `Reporters Without Borders`) when one of civicLinks follows.
var (
	civicHeads = wordSet("people", "citizens", "fighters", "friends", "mothers", "fathers", "families", "parents",
		"doctors", "lawyers", "physicians", "reporters", "scientists", "scholars", "veterans", "journalists", "artists",
		"engineers", "christians", "buddhists", "defenders", "advocates", "champions", "partners", "volunteers")
	civicLinks = wordSet("for", "of", "against", "without")
)

// givenNames are common given names (English, European, Russian, Ukrainian, Japanese, South Asian and Arabic ones
// in Latin script). A two- or three-word name in running text whose first word is one of them is a person even
// with no title, role or speech verb near it (`Casper Ruud beat Peter Kiprono`); words that are also common
// English words (`Mark`, `Grace`, `May`, `Roman`) are left out.
var givenNames = wordSet(
	"james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles", "christopher",
	"daniel", "matthew", "anthony", "donald", "steven", "paul", "andrew", "joshua", "kenneth", "kevin", "brian",
	"george", "timothy", "ronald", "edward", "jason", "jeffrey", "ryan", "jacob", "gary", "nicholas", "eric",
	"jonathan", "stephen", "larry", "justin", "scott", "brandon", "benjamin", "samuel", "gregory", "alexander", "frank",
	"patrick", "raymond", "jack", "dennis", "jerry", "tyler", "aaron", "jose", "adam", "nathan", "henry", "douglas",
	"zachary", "peter", "kyle", "noah", "ethan", "jeremy", "walter", "keith", "roger", "terry", "austin",
	"sean", "gerald", "carl", "harold", "arthur", "lawrence", "jesse", "bryan", "billy", "bruce",
	"gabriel", "joe", "albert", "willie", "alan", "russell", "vincent", "philip", "bobby", "johnny",
	"bradley", "roy", "ralph", "randy", "wayne", "howard", "mary", "patricia", "jennifer", "linda", "elizabeth",
	"barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy", "betty", "margaret", "sandra", "ashley",
	"kimberly", "emily", "donna", "michelle", "carol", "amanda", "melissa", "deborah", "stephanie", "rebecca", "sharon",
	"laura", "cynthia", "kathleen", "amy", "angela", "shirley", "anna", "brenda", "pamela", "emma", "nicole", "helen",
	"samantha", "katherine", "christine", "debra", "rachel", "carolyn", "janet", "catherine", "maria", "heather",
	"diane", "ruth", "julie", "olivia", "joyce", "kelly", "lauren", "christina", "joan",
	"evelyn", "judith", "megan", "andrea", "cheryl", "hannah", "jacqueline", "martha", "gloria", "teresa", "ann",
	"sara", "frances", "kathryn", "janice", "abigail", "alice", "judy", "sophia", "denise", "amber", "doris",
	"marilyn", "danielle", "beverly", "isabella", "theresa", "diana", "natalie", "brittany", "kayla",
	"alexis", "lori", "claire", "eleanor", "lucy", "ellen", "margot", "hugo", "pierre", "francois", "emmanuel", "olaf",
	"olga", "hans", "klaus", "jurgen", "wolfgang", "friedrich", "annalena", "markus", "stefan", "matthias", "lars",
	"sven", "erik", "anders", "nils", "johan", "ingrid", "astrid", "karin", "mette", "jens", "magnus", "henrik",
	"jonas", "luca", "marco", "giovanni", "giuseppe", "francesco", "alessandro", "giorgia", "sergio", "carlos", "juan",
	"luis", "miguel", "javier", "pedro", "antonio", "manuel", "rafael", "diego", "pablo", "fernando", "jorge",
	"ricardo", "alejandro", "andres", "mateo", "santiago", "lula", "jair", "gustavo", "vladimir", "dmitry", "dmitri",
	"sergei", "sergey", "alexei", "alexey", "andrei", "andrey", "mikhail", "nikolai", "ivan", "igor", "oleg", "yuri",
	"yury", "boris", "pavel", "viktor", "viacheslav", "vyacheslav", "valery", "valeri", "gennady", "anatoly",
	"konstantin", "maxim", "maksim", "artem", "denis", "evgeny", "yevgeny", "ruslan", "ramzan", "anton", "grigory",
	"leonid", "stanislav", "arkady", "kirill", "ilya", "timur", "vadim", "natalia", "natalya", "tatiana", "tatyana",
	"elena", "yelena", "irina", "svetlana", "ekaterina", "yekaterina", "marina", "anastasia", "ksenia", "daria",
	"darya", "yulia", "lyudmila", "galina", "alla", "valentina", "volodymyr", "oleksandr", "oleksiy", "andriy",
	"mykola", "mykhailo", "dmytro", "yuriy", "serhiy", "taras", "bohdan", "petro", "vitali", "vitaly", "rustem",
	"kyrylo", "denys", "olena", "iryna", "yuliia", "oksana", "kateryna", "shinzo", "fumio", "yoshihide", "shigeru",
	"taro", "hiroshi", "takeshi", "kenji", "akira", "yuki", "yoshimasa", "yoko", "sanae", "kaito", "haruto", "sota",
	"hiroto", "ren", "minato", "yuto", "takashi", "masahiro", "kazuo", "ichiro", "naoko", "keiko", "yuko", "akiko",
	"hanako", "tomoko", "narendra", "rahul", "imran", "shehbaz", "yair", "naftali", "recep", "keir", "rishi", "liz",
	"antony", "kamala", "hillary", "barack", "mike", "jd", "lloyd", "pete", "kristi", "tulsi", "elon", "mohammed",
	"muhammad", "ahmed", "ali", "hassan", "hussein", "omar", "abdullah", "ibrahim", "khalid", "yusuf", "fatima",
	"aisha", "oliver", "liam", "lucas", "leo", "felix", "julian", "simon", "tom", "tim", "ben", "sam", "dan",
	"nick", "chris", "matt", "alex", "kate", "sophie", "chloe", "charlotte", "amelia", "mia", "ella", "zoe",
	"lena", "nina", "eva", "sofia", "julia", "marie", "anne", "marc", "michel", "philippe", "nicolas", "thierry",
	"laurent", "jacques", "francesca", "paolo", "roberto", "mario", "luigi", "ana", "lucia", "carmen", "isabel",
	"pieter", "joost", "daan", "sanne", "femke", "bram", "thijs", "finn", "emil", "oskar", "hanna", "ole", "bjorn",
	"tomasz", "piotr", "pawel", "krzysztof", "marek", "jakub", "agnieszka", "katarzyna", "andrzej", "wojciech",
	"mateusz", "lukasz", "tomas", "petr", "jiri", "zoltan", "gabor", "istvan", "mehmet", "mustafa", "emre",
	"ahmet", "aylin", "ayse", "arjun", "priya", "amit", "vikram", "anil", "sunil", "deepak", "kwame", "kofi",
	"chinedu", "amara", "casper", "hina", "yui", "aoi", "sakura", "haruka", "riku", "daiki", "kenta", "yuma",
	"mio", "rin", "yuna", "koharu", "hinata", "takumi", "naoki", "ryo", "yusuke", "kazuki", "shota", "tsubasa",
	"makoto", "satoshi", "hideki", "masato", "hiroki", "keisuke", "yasuhiro", "junichiro", "toshimitsu",
	"katsunobu", "yoshitaka", "takeo", "minoru", "emi", "ayumi", "misaki", "nanami", "ryota", "sven",
)

// ordinals before a cue word belong to the name (`Third Committee`, `Second Fleet`), although `First` or `Second`
// alone start no name.
var ordinals = wordSet("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
	"eleventh", "twelfth")

// abbreviations are words whose following period does not end a sentence.
var abbreviations = wordSet(
	"mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "cmdr", "rep", "sen", "gov", "st",
	"jr", "sr", "no", "vs", "prof", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
	"dec", "inc", "corp", "co", "ltd", "approx", "dept", "gov", "pres", "rev", "fig", "vol", "anniv",
)

// vesselWords mark the capitalized words before (or after) them as a ship's name, not a person's.
var vesselWords = wordSet(
	"destroyer", "destroyers", "warship", "warships", "frigate", "frigates", "corvette", "corvettes", "submarine",
	"submarines", "cruiser", "cruisers", "carrier", "carriers", "vessel", "vessels", "ship", "ships", "tanker",
	"freighter", "ferry", "boat", "patrol", "flagship",
)

// notNameWords are capitalized words that are never part of a person's name. They do not make a phrase an
// organization or a place (the pack's cues do that); they only stop it from being taken for a person.
var notNameWords = wordSet(
	"people", "house", "day", "war", "army", "navy", "air", "force", "forces", "command", "office", "department",
	"service", "services", "university", "institute", "center", "centre", "group", "company", "bank", "times",
	"post", "daily", "press", "unit", "zone", "complex", "front", "guard", "guards", "republic", "kingdom", "union",
	"united", "states", "state", "nations", "east", "west", "north", "south", "northern", "southern", "eastern",
	"western", "central", "peninsula", "strait", "bay", "river", "mountain", "mount", "lake", "valley", "street",
	"square", "airport", "port", "station", "summit", "forum", "conference", "treaty", "agreement", "act", "law",
	"olympic", "olympics", "games", "cup", "battle", "operation", "project", "program", "programme", "plan",
	"foundation", "fund", "trust", "museum", "hall", "palace", "park", "bridge", "tower", "road", "line", "region",
	"province", "county", "city", "town", "village", "island", "islands", "sea", "ocean", "gulf", "coast",
	"border", "federal", "supreme", "general", "staff", "chiefs", "joint", "security", "defense", "defence",
	"foreign", "affairs", "trade", "industry", "energy", "finance", "health", "justice", "interior", "economy",
	"global", "world", "democratic", "liberal", "conservative", "socialist", "communist", "workers", "labor",
	"labour", "power", "party", "media", "news", "network", "channel", "tv", "radio", "agency", "ministry",
	"council", "committee", "commission", "association", "society", "academy", "school", "college", "hospital",
	"church", "temple", "capital", "base", "camp", "facility", "plant", "reactor", "site", "test", "missile",
	"rocket", "satellite", "space", "launch", "shipyard", "fleet", "corps", "division", "brigade", "battalion",
	"regiment", "minister", "prime", "vice", "deputy", "chairman", "chief", "director", "commander", "ambassador",
	"embassy", "consulate", "bureau", "government", "cabinet", "parliament", "congress", "senate", "assembly",
	"court", "tribunal", "police", "prosecutors", "intelligence", "peace", "freedom", "liberty", "human", "rights",
	"watch", "red", "cross", "herald", "journal", "tribune", "gazette", "weekly", "review", "report", "statement",
	"declaration", "resolution", "charter", "constitution", "alliance", "pact", "accord", "talks", "dialogue",
	"meeting", "session", "plenary", "festival", "anniversary", "victory", "memorial", "cemetery", "monument",
	"stadium", "airlines", "railway", "highway", "motors", "steel", "heavy", "industries", "holdings", "exchange",
	"market", "nuclear", "research", "science", "technology", "president", "secretary", "leader", "spokesperson",
	"spokesman", "spokeswoman", "official", "officials", "korea", "korean", "koreans", "english", "internet",
	"covid", "christmas", "easter", "new", "year", "old", "great", "first", "second", "third", "special", "national",
	"international", "military", "strategic", "comprehensive", "partnership", "industrial", "economic", "political",
	"social", "public", "private", "royal", "imperial", "grand", "upper", "lower", "middle", "high", "big", "little",
	"small", "young", "free", "independent", "federation", "medal", "prize", "award", "order", "hero", "star",
	"semiconductor", "semiconductors", "electronics", "chemical", "chemicals", "pharmaceutical", "entertainment",
	"technologies", "systems", "solutions", "logistics", "shipping", "construction", "engineering", "partners",
	"ventures", "labs", "studios", "foods", "telecom", "communications", "insurance", "securities", "investment",
	"capital", "global", "international", "airways", "aviation", "defense", "dynamics", "robotics", "software",
	"emeritus", "typhoon", "hurricane", "storm", "cyclone", "game", "maps", "series", "season", "episode",
	"english", "french", "german", "spanish", "arabic", "latin", "mandarin", "cantonese", "hebrew", "hindi",
	"japanese", "chinese", "russian", "italian", "portuguese", "persian", "farsi", "turkish", "ukrainian", "dutch",
	"greek", "polish", "swedish", "norwegian", "danish", "finnish", "vietnamese", "thai", "urdu", "bengali",
	"christ", "jesus", "allah", "parliament", "congress", "cabinet", "court", "brexit", "covid", "sept",
)

// roleWords right before a capitalized name mark it as a person's (`analyst Lena Hartmann`).
var roleWords = wordSet(
	"analyst", "spokesperson", "spokesman", "spokeswoman", "chairman", "chairwoman", "director", "professor",
	"researcher", "minister", "secretary", "ambassador", "envoy", "governor", "mayor", "leader", "president",
	"chief", "head", "official", "lawmaker", "senator", "commander", "general", "premier", "ceo", "founder",
	"expert", "fellow", "author", "activist", "defector", "resident", "farmer", "fisherman", "worker", "student",
	"teacher", "coach", "player", "singer", "actor", "actress", "judge", "prosecutor", "lawyer", "attorney",
	"journalist", "reporter", "correspondent", "editor", "economist", "scientist", "historian", "diplomat",
	"negotiator", "candidate", "nominee", "adviser", "advisor", "aide", "deputy", "colonel", "captain",
	"lieutenant", "sergeant", "soldier", "officer", "pilot", "engineer", "manager", "owner", "executive", "chair",
	"member", "veteran", "survivor", "victim", "mother", "father", "son", "daughter", "wife", "husband", "sister",
	"brother", "uncle", "aunt", "grandmother", "grandfather", "citizen", "athlete", "skater", "champion",
	"medalist", "legislator", "representative", "commissioner", "inspector", "rapporteur", "investigator",
	"monk", "priest", "pastor", "artist", "writer", "novelist", "poet", "producer", "entrepreneur", "banker",
	"trader", "dissident", "prisoner", "detainee", "abductee", "scholar", "lecturer", "physician", "doctor",
	"nurse", "chef", "designer", "photographer", "filmmaker", "director-general", "mp", "congressman",
	"congresswoman", "speaker", "emeritus", "colleague", "friend", "partner", "counterpart", "predecessor",
	"successor", "host", "anchor", "columnist", "commentator", "spokesperson", "vice-chairman", "general-secretary",
)

// speechVerbs right after a capitalized name mark it as a person's (`Lena Hartmann said`).
var speechVerbs = wordSet(
	"said", "says", "told", "tells", "added", "adds", "noted", "notes", "wrote", "writes", "asked", "asks",
	"stated", "explained", "argued", "warned", "insisted", "stressed", "claimed", "recalled", "admitted",
	"confirmed", "denied", "urged", "believes", "believed", "thinks", "thought", "announced", "replied",
	"responded", "testified", "tweeted", "posted", "emphasized", "emphasised", "acknowledged", "predicted",
	"suggested", "countered", "cautioned", "remarked", "commented", "who",
)

// compoundSuffixes after a hyphen make a capitalized word an adjective, not a name (`European-style`,
// `Seoul-based`, `Soviet-era`); a gazetteer name before the hyphen is still its mention (`Russian-made`).
var compoundSuffixes = wordSet("style", "based", "born", "made", "led", "backed", "owned", "run", "funded",
	"linked", "bound", "built", "flagged", "registered", "speaking", "era", "type", "class", "like", "wide")

// placePrepositions before a single capitalized word suggest a place (`in Uppsala`).
var placePrepositions = wordSet("in", "near", "outside")

// notNameSuffixes mark words of English morphology that are not given names or surnames.
var notNameSuffixes = []string{
	"ship", "tion", "sion", "ment", "ity", "ness", "ism", "ical", "sive", "tive", "ance", "ural", "ional", "ntal",
	"ial", "ese", "ern", "ies", "ics", "ized", "ised", "ing",
}

// koreanSurnames are common Korean surnames in their usual romanizations; with a hyphenated given name after
// them (`Choi Seong-ryong`) they make a person's name even without other cues.
var koreanSurnames = wordSet(
	"kim", "lee", "yi", "ri", "rhee", "park", "pak", "bak", "choi", "choe", "chey", "jung", "jeong", "chung", "chong",
	"kang", "cho", "jo", "yoon", "yun", "jang", "chang", "lim", "im", "rim", "han", "oh", "seo", "suh",
	"shin", "sin", "kwon", "gwon", "hwang", "ahn", "song", "jeon", "jun", "chon", "hong", "ko", "moon",
	"mun", "yang", "ryang", "son", "bae", "pae", "baek", "paek", "heo", "hur", "ho", "yoo", "yu", "ryu", "nam",
	"sim", "shim", "noh", "roh", "ro", "kwak", "sung", "seong", "cha", "joo", "ju", "woo", "koo",
	"ku", "min", "jin", "chin", "ji", "chi", "um", "eom", "chae", "won", "chun", "cheon", "bang", "pang",
	"kong", "gong", "hyun", "hyon", "yeo", "ryo", "chu", "seok", "sok", "sun", "ma", "gil", "kil",
	"yeon", "yon", "pyo", "myung", "myong", "ki", "ban", "pan", "wang", "geum", "kum", "ok", "yook", "yuk",
	"maeng", "je", "tak", "guk", "kuk", "yeom", "yom", "ryom", "byun", "pyon", "kye", "gye", "hyeon", "ok",
	"tae", "thae", "jong", "hyeong", "hyong", "bong", "pong", "seol", "sol", "ham", "pyeon",
	"ong", "mok", "kyung", "kyong", "ryeo",
)
