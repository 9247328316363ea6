package corpus

// The vocabulary and sentence templates below were written for this generator. The names of public figures,
// places and institutions are facts of the domain; every sentence is original and none is taken from an article.
//
// A template is plain text with slots in braces; fill replaces each slot with a draw from the list of that name
// (see slots). Slots whose name starts with "new" are generated names that no rule pack lists, so that entity
// discovery has work to do.

// slots maps a slot name to its vocabulary.
var slots = map[string][]string{
	"nkleader": {"Kim Jong-un", "North Korean leader Kim Jong-un", "Kim Jong Un", "leader Kim Jong-un"},
	"nkp": {"Kim Yo-jong", "Choe Son-hui", "Pak Thae-song", "Choe Ryong-hae", "Jo Yong-won", "No Kwang-chol",
		"Ri Pyong-chol", "Pak Jong-chon", "Kim Tok-hun", "Kim Song-nam", "Ri Son-gwon", "Kim Yong-chol",
		"Foreign Minister Choe Son-hui", "Premier Pak Thae-song", "Vice Marshal Pak Jong-chon",
		"Defense Minister No Kwang-chol", "Kim Yo-jong, the leader's sister,"},
	"skp": {"President Lee Jae-myung", "Lee Jae-myung", "Unification Minister Chung Dong-young",
		"Foreign Minister Cho Hyun", "Defense Minister Ahn Gyu-back", "former President Yoon Suk-yeol",
		"national security adviser Wi Sung-lac", "Prime Minister Kim Min-seok", "Han Duck-soo"},
	"rup": {"Vladimir Putin", "President Vladimir Putin", "Sergei Lavrov", "Foreign Minister Sergei Lavrov",
		"Sergei Shoigu", "Security Council Secretary Sergei Shoigu", "Andrei Belousov", "Dmitry Peskov",
		"Kremlin spokesman Dmitry Peskov", "Valery Gerasimov"},
	"usp": {"President Donald Trump", "Donald Trump", "Secretary of State Marco Rubio", "Marco Rubio",
		"Pete Hegseth", "Defense Secretary Pete Hegseth", "former President Joe Biden"},
	"otherp": {"Xi Jinping", "Chinese President Xi Jinping", "Volodymyr Zelensky", "President Volodymyr Zelensky",
		"Japanese Prime Minister Shigeru Ishiba", "Wang Yi", "UN Secretary-General Antonio Guterres",
		"Rafael Grossi"},
	"nkplace": {"Pyongyang", "Wonsan", "Sinuiju", "Kaesong", "Nampo", "Chongjin", "Hamhung", "Sinpo", "Yongbyon",
		"Punggye-ri", "Tongchang-ri", "Sunan", "Hyesan", "Rason", "North Hamgyong Province", "South Pyongan"},
	"skplace": {"Seoul", "Paju", "Gimpo", "Incheon", "Busan", "Cheorwon", "Yeoncheon", "Ganghwa Island",
		"Yeonpyeong Island", "Pyeongtaek", "Camp Humphreys", "Osan Air Base", "Gyeonggi Province"},
	"ruplace": {"Moscow", "Kursk", "the Kursk region", "Vladivostok", "Khabarovsk", "Belgorod", "Bryansk",
		"the Russian Far East", "Vostochny Cosmodrome", "Saint Petersburg"},
	"uaplace": {"Kyiv", "Kharkiv", "Donetsk", "Zaporizhzhia", "Sumy", "Pokrovsk", "Odesa", "the Donbas"},
	"sea":     {"the East Sea", "the Yellow Sea", "the Sea of Japan", "the Pacific Ocean", "the Korea Strait"},
	"border":  {"the Demilitarized Zone", "the DMZ", "Panmunjom", "the Military Demarcation Line", "the Northern Limit Line"},
	"nkmedia": {"the Korean Central News Agency", "KCNA", "the Rodong Sinmun", "Korean Central Television", "state media"},
	"media": {"Yonhap News Agency", "Yonhap", "Reuters", "the Associated Press", "NK News", "Daily NK", "TASS",
		"RIA Novosti", "Radio Free Asia", "Kyodo News", "Interfax"},
	"skorg": {"the Ministry of Unification", "the unification ministry", "the Joint Chiefs of Staff",
		"the National Intelligence Service", "the Ministry of National Defense", "the National Assembly",
		"the Korea Coast Guard", "the presidential office"},
	"nkorg": {"the Workers' Party of Korea", "the Korean People's Army", "the Supreme People's Assembly",
		"the Missile General Bureau", "the State Affairs Commission", "the Reconnaissance General Bureau"},
	"intlorg": {"the UN Security Council", "the United Nations", "the International Atomic Energy Agency",
		"NATO", "the European Union", "the G7", "ASEAN", "the UN Human Rights Council",
		"the International Committee of the Red Cross"},
	"ruorg": {"the Kremlin", "the Russian Defense Ministry", "the State Duma", "Roscosmos", "the Federal Security Service"},
	"usorg": {"the White House", "the State Department", "the Pentagon", "US Forces Korea",
		"the Treasury Department", "the US Indo-Pacific Command"},
	"thinktank": {"the Korea Institute for National Unification", "the Asan Institute for Policy Studies",
		"the Sejong Institute", "the Institute for the Study of War", "the Stimson Center", "38 North"},
	"ngo": {"Fighters for a Free North Korea", "Human Rights Watch", "Amnesty International",
		"the Transitional Justice Working Group", "the Korean War Abductees' Family Union"},
	"nk":  {"North Korea", "North Korea", "North Korea", "N. Korea", "the DPRK", "Pyongyang"},
	"sk":  {"South Korea", "South Korea", "Seoul", "S. Korea", "the Republic of Korea"},
	"ru":  {"Russia", "Russia", "Moscow"},
	"us":  {"the United States", "the US", "Washington", "the U.S."},
	"cn":  {"China", "Beijing"},
	"jp":  {"Japan", "Tokyo"},
	"ua":  {"Ukraine", "Kyiv"},
	"nkd": {"North Korean", "North Korean", "N. Korean"},
	"skd": {"South Korean", "South Korean"},
	"rud": {"Russian"},
	"usd": {"American", "US"},
	"day": {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "earlier this week",
		"last week", "on Monday", "late Tuesday", "early Thursday"},
	"num":    {"two", "three", "four", "five", "six", "several", "a dozen", "20", "more than 30", "hundreds of"},
	"bignum": {"1,200", "3,000", "11,000", "about 12,000", "nearly 15,000", "several thousand", "600", "2,500"},
	"weapon": {"short-range ballistic missiles", "a cruise missile", "an intercontinental ballistic missile", "multiple rocket launchers", "a hypersonic missile", "artillery shells", "a new tactical guided weapon", "a solid-fuel engine", "drones"},
	"ship":   {"destroyer", "frigate", "submarine", "naval vessel", "warship"},
	"goods":  {"coal", "refined petroleum", "seafood", "textiles", "iron ore", "rice", "fertilizer", "machinery"},
	"official": {"an official", "a senior official", "a government official", "a spokesperson", "a ministry official",
		"a military official", "a lawmaker", "an analyst"},
	"percent": {"3 percent", "7 percent", "12 percent", "18 percent", "25 percent", "40 percent"},
	"year":    {"2019", "2022", "2023", "2024", "last year", "the previous year"},
}

// Generated names: Korean-style given names from syllables, Russian-style names, organizations and places with
// a cue word. None of them is in any rule pack.
var (
	krSurnames  = []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Ri", "Pak", "Choe", "Jon", "Ryu", "Hong"}
	krSyllables = []string{"min", "jun", "seo", "hyun", "ji", "woo", "young", "sung", "ho", "chul", "hee", "soo", "kyung", "jin", "dong", "sang", "eun", "hye", "tae", "jae", "won", "il", "nam", "gwang", "ryong", "chol", "son", "hui", "ok", "mi"}
	ruFirst     = []string{"Alexei", "Dmitri", "Ivan", "Nikolai", "Pavel", "Yuri", "Mikhail", "Oleg", "Andrei", "Igor", "Viktor", "Boris", "Anna", "Olga", "Yelena", "Tatiana"}
	ruLast      = []string{"Sokolov", "Volkov", "Morozov", "Orlov", "Kuznetsov", "Lebedev", "Pavlov", "Smirnov", "Fedorov", "Zaitsev", "Belov", "Gusev", "Romanov", "Tikhonov"}
	orgStems    = []string{"Haebit", "Taedong", "Unha", "Saebyol", "Hanmaum", "Arirang", "Mirae", "Chollima", "Pyongwha", "Baekdu", "Nuri", "Sinsegye", "Gaon", "Hwarang", "Orora", "Polaris", "Seaview", "Northgate"}
	orgCues     = []string{"Trading Company", "Shipping Corporation", "Research Institute", "Foundation", "Association", "Solidarity", "Network", "Committee", "Industries", "Bank", "Daily", "Broadcasting"}
	placeStems  = []string{"Hwasong", "Kumya", "Sonbong", "Taehung", "Ryongsong", "Unsan", "Kowon", "Pukchang", "Yangdok", "Sinhung", "Chasong", "Onsong", "Sakju", "Changdo"}
	placeCues   = []string{"County", "District", "area", "region", "Port", "Airfield"}
)

// A story is one kind of news article: its title templates and the templates of its body sentences.
type story struct {
	name   string
	weight int // relative frequency in the corpus
	titles []string
	body   []string
}

// stories is the topic mix of the corpus: mostly the domain's staple stories, some generic world news with a
// passing mention, and a few articles outside the domain (hard negatives).
var stories = []story{
	{name: "missile", weight: 14, titles: []string{
		"{nk} fires {weapon} into {sea}",
		"{nkd} leader oversees test of {weapon}",
		"{sk} detects launch of {weapon} from near {nkplace}",
		"{skorg} says {nk} launched {weapon} {day}",
	}, body: []string{
		"{nk} fired {weapon} toward {sea} {day}, according to {skorg}.",
		"The launch came from an area near {nkplace}, and the projectiles flew roughly {bignum} kilometers before splashing down.",
		"{nkmedia} said {nkleader} watched the test and called it a success for the country's defense buildup.",
		"{skorg} said it had strengthened surveillance and was sharing information closely with {us} and {jp}.",
		"Military officials in {sk} said they were analyzing the flight data to determine the exact type of weapon.",
		"{nkleader} urged scientists to keep improving the accuracy of {weapon}, {nkmedia} reported.",
		"The test was the {num} launch this year and drew condemnation from {intlorg}.",
		"{usp} said {us} would respond firmly to any provocation against its allies.",
		"Analysts at {thinktank} said the launch appeared designed to test a new guidance system.",
		"{nkp} warned in a statement that joint drills by {sk} and {us} would be met with countermeasures.",
		"Under resolutions of {intlorg}, {nk} is banned from ballistic missile activity of any kind.",
		"Photographs released by {nkmedia} showed a {ship} and a launcher vehicle near the coast of {nkplace}.",
		"{official} in {skplace} said the missiles were launched at short intervals over {num} minutes.",
		"{skp} convened an emergency meeting of the national security council in {skplace}.",
		"The {nkd} military has also been building new launch pads near {newplace}, satellite imagery shows.",
	}},
	{name: "leaflets", weight: 9, titles: []string{
		"Activists send anti-{nk} leaflets across border by balloon",
		"{skorg} asks civic groups to stop sending leaflets to {nk}",
		"{nk} sends trash-filled balloons toward {skplace}",
		"Border residents in {skplace} protest leaflet launches",
	}, body: []string{
		"A {skd} civic group said it floated {num} large balloons carrying propaganda leaflets toward {nk} {day}.",
		"The balloons also carried dollar bills, rice and USB sticks loaded with {skd} dramas, the group said.",
		"{newp}, who leads {ngo}, said the group would keep sending leaflets until the regime changes.",
		"{skorg} urged activists to refrain from the launches, citing the safety of residents near {border}.",
		"Residents of {skplace} have complained that the launches invite retaliation from the North.",
		"{nk} responded last year by sending hundreds of balloons filled with trash and manure across the border.",
		"{nkp} called the leaflets a grave provocation and threatened a new countermeasure.",
		"Police in {skplace} said they had blocked a group from launching balloons near the border.",
		"The Constitutional Court struck down a ban on sending leaflets in {year}, ruling that it curbed free speech.",
		"{skp} said the government would look for legal ways to prevent leaflet launches that raise tension.",
		"Loudspeaker broadcasts along {border} were halted after the leaflet launches stopped, {skorg} said.",
		"{newp} of {neworg} said the leaflets carry news from the outside world that North Koreans are denied.",
	}},
	{name: "ukraine", weight: 12, titles: []string{
		"{nkd} troops fighting for {ru} in {ruplace}, {skorg} says",
		"{ru} and {nk} deepen military ties as war in {ua} drags on",
		"{nkd} artillery shells used against {ua}, officials say",
		"{rup} thanks {nk} for help in recapturing {ruplace}",
	}, body: []string{
		"{nk} has sent {bignum} troops to {ru} to support its war against {ua}, according to {skorg}.",
		"The soldiers have been deployed to {ruplace}, where {ua} launched a cross-border incursion.",
		"{rup} praised the {nkd} soldiers for their courage in a meeting with {nkp} in {ruplace}.",
		"{otherp} said {num} {nkd} soldiers had been captured and were being questioned in {uaplace}.",
		"{ru} has supplied {nk} with air defense systems and oil in return for shells and missiles, officials said.",
		"The two countries signed a mutual defense treaty in {year}, pledging to aid each other if attacked.",
		"Analysts at {thinktank} said {nkd} units suffered heavy casualties in their first weeks at the front.",
		"{usp} called the deployment a dangerous escalation that threatens security in Europe and Asia.",
		"{ruorg} did not confirm the presence of {nkd} troops but did not deny it either.",
		"{nkleader} hosted a ceremony in {nkplace} for soldiers who died fighting in {ruplace}.",
		"Drone footage released by {ua} showed {nkd} soldiers moving through a forest near {uaplace}.",
		"{rup} said the cooperation between {ru} and {nk} was not directed against any third country.",
		"Officials in {sk} said {nk} was also sending construction workers to {ru} to rebuild damaged towns.",
	}},
	{name: "diplomacy", weight: 12, titles: []string{
		"{nkp} visits {ru} for talks with {rup}",
		"{sk} and {us} hold talks on {nk}",
		"{otherp} meets {skp} in {skplace}",
		"{nk} rejects offer of dialogue from {sk}",
	}, body: []string{
		"{nkp} arrived in {ruplace} {day} for talks with {rup}, {nkmedia} reported.",
		"The two sides discussed ways to expand cooperation and exchanged views on the situation in {ua}.",
		"{skp} and {usp} agreed to keep coordinating closely on the {nkd} nuclear issue.",
		"{otherp} said {cn} supports dialogue and opposes any action that raises tension on the Korean Peninsula.",
		"{nk} has rejected repeated offers of talks from {sk} and {us} in recent years.",
		"{nkp} said in a statement carried by {nkmedia} that {nk} has no interest in talks with {sk}.",
		"The foreign ministers of {sk}, {us} and {jp} met on the sidelines of a conference in {newplace}.",
		"{skorg} said it would keep channels open and welcomed any sign of engagement from the North.",
		"Diplomats at {intlorg} said a new resolution was unlikely because {ru} and {cn} would veto it.",
		"{usp} said he would be willing to meet {nkleader} again without preconditions.",
		"The summit ended with a joint statement pledging closer ties in trade, science and culture.",
		"{official} at {usorg} said the alliance with {sk} was stronger than ever.",
		"{ru} and {nk} marked the anniversary of their treaty with receptions in {nkplace} and {ruplace}.",
	}},
	{name: "sanctions", weight: 9, titles: []string{
		"{usorg} sanctions firms helping {nk} evade trade curbs",
		"Trade between {cn} and {nk} rises {percent} in {year}",
		"{nkd} hackers stole crypto worth millions, report says",
	}, body: []string{
		"{usorg} imposed sanctions on {num} companies accused of shipping {goods} to {nk} in violation of UN resolutions.",
		"Trade between {cn} and {nk} rose {percent} in {year}, according to customs data released in {cn}.",
		"Most of the exports from {nk} were {goods} and wigs, while it imported {goods} and food.",
		"A panel of experts had monitored sanctions on {nk} for years before {ru} vetoed its renewal.",
		"Ships linked to {neworg} were seen transferring {goods} at sea near {nkplace}, the report said.",
		"{nkd} hackers stole digital assets worth hundreds of millions of dollars to fund weapons programs, {usorg} said.",
		"Prices of rice and corn in markets in {nkplace} rose sharply this month, {media} reported.",
		"{official} said the sanctions would cut off revenue that the regime uses to build weapons.",
		"The special economic zone near {nkplace} has struggled to attract investors since {year}.",
		"{skd} firms that once ran factories in the Kaesong Industrial Complex are still waiting for compensation.",
		"{newp}, an economist at {neworg}, said the market exchange rate of the won had doubled in a year.",
	}},
	{name: "humanrights", weight: 8, titles: []string{
		"Families of abductees urge {nk} to send relatives home",
		"Defector recounts forced labor in {nkplace}",
		"{intlorg} adopts resolution on {nkd} human rights",
	}, body: []string{
		"Families of {skd} citizens abducted by {nk} after the war held a rally in {skplace} {day}.",
		"{newp}, whose father was taken in {year}, said she had not heard from him in decades.",
		"{intlorg} adopted a resolution condemning systematic human rights violations in {nk}.",
		"Defectors told investigators they were forced to work up to 16 hours a day at a camp near {nkplace}.",
		"{ngo} said {bignum} people were held in political prison camps across {nk}.",
		"{skorg} said {num} defectors arrived in {sk} in the first half of the year, most of them women.",
		"The number of defectors reaching {sk} has fallen sharply since {nk} sealed its border with {cn}.",
		"{newp}, a defector who now lives in {skplace}, said families in the North are punished for contact with the South.",
		"{cn} was urged to stop forcibly repatriating {nkd} escapees who face torture at home.",
		"Human rights groups said prisoners of war held since the 1950s should be allowed to return.",
	}},
	{name: "interkorean", weight: 8, titles: []string{
		"{nkd} soldiers briefly cross border, {skorg} says",
		"{sk} halts loudspeaker broadcasts along border",
		"{skp} proposes military talks with {nk}",
	}, body: []string{
		"{num} {nkd} soldiers briefly crossed the Military Demarcation Line {day} before retreating after warning shots, {skorg} said.",
		"The soldiers appeared to be doing construction work near {border} and crossed by mistake.",
		"{nk} has been building walls and laying mines along its side of {border} since {year}.",
		"{skp} proposed military talks to prevent accidental clashes along the heavily fortified border.",
		"{skorg} said the government would restore a military agreement that eased tension along the border.",
		"{nkp} dismissed the proposal and said {nk} regards {sk} as its most hostile state.",
		"Hotlines between the two Koreas have gone unanswered since {year}, officials in {skplace} said.",
		"Reunions of families separated by the Korean War have not taken place for years.",
		"The tourism project at Mount Kumgang has been shut since a {skd} tourist was shot there in 2008.",
		"{official} at {skorg} said the ministry would keep supporting civilian exchanges where possible.",
	}},
	{name: "nuclear", weight: 8, titles: []string{
		"{intlorg} sees signs of activity at {nkd} nuclear site",
		"{nkleader} calls for more nuclear weapons",
		"{nk} shows uranium enrichment facility for first time",
	}, body: []string{
		"Satellite images show new construction at the Yongbyon nuclear complex, {thinktank} said.",
		"{nkleader} called for an exponential increase in the country's nuclear arsenal at a party meeting.",
		"{otherp} said the agency had seen signs that a new enrichment building was operating.",
		"{nk} has conducted six nuclear tests since 2006, the last one in 2017 at Punggye-ri.",
		"{usp} said {us} remains committed to the complete denuclearization of the Korean Peninsula.",
		"{nkmedia} showed {nkleader} touring a facility with rows of centrifuges used to enrich uranium.",
		"Experts at {thinktank} estimate that {nk} has enough fissile material for about 50 warheads.",
		"{sk} and {us} agreed to strengthen extended deterrence, including regular visits of a nuclear-armed {ship}.",
		"{nkp} said the country's nuclear status is irreversible and not up for negotiation.",
		"{skp} said {sk} would not seek nuclear weapons of its own despite growing public support.",
	}},
	{name: "world", weight: 12, titles: []string{
		"{otherp} hosts talks on regional security",
		"{cn} and {jp} hold first talks in months",
		"{rup} meets {otherp} in {ruplace}",
	}, body: []string{
		"{otherp} met foreign ministers from the region in {newplace} to discuss trade and security.",
		"The talks covered supply chains, energy prices and tension in the South China Sea.",
		"{cn} and {jp} agreed to resume high-level economic dialogue after a pause of {num} years.",
		"{rup} told reporters that {ru} was open to new energy deals with partners in Asia.",
		"{media} reported that the leaders also discussed the situation on the Korean Peninsula.",
		"{official} said the meeting was constructive but that differences remained on several issues.",
		"{newp} of {neworg} said the region faces its most uncertain period in decades.",
		"Markets in {newplace} rose {percent} after the announcement of the new trade agreement.",
		"{usp} is expected to visit the region next month for a summit of {intlorg}.",
		"{ua} and {ru} exchanged {bignum} prisoners of war in a deal brokered by mediators.",
	}},
	{name: "offtopic", weight: 8, titles: []string{
		"Heavy rain floods roads in {skplace}",
		"Local team wins championship after dramatic final",
		"New bakery draws long lines in {newplace}",
		"Museum opens exhibition of modern ceramics",
	}, body: []string{
		"Heavy rain caused flooding on several roads {day}, and residents were told to stay indoors.",
		"The local football team won the championship with a goal in the final minute of extra time.",
		"{newp}, the coach, said the players had worked for this moment for {num} years.",
		"The new bakery in {newplace} sells {bignum} loaves a week, its owner said.",
		"The museum's new exhibition brings together ceramics made by {num} artists over the past decade.",
		"Organizers expect {bignum} visitors during the festival, which runs until the end of the month.",
		"City officials said repairs to the bridge would take {num} months to complete.",
		"A hot-air balloon festival drew families from across the region on the weekend.",
		"The weather agency forecast sunny skies and mild temperatures for the rest of the week.",
		"Ticket prices for the concert series rose {percent} compared with {year}.",
	}},
}

// fillers are generic sentences any story may use when it runs out of its own.
var fillers = []string{
	"{official} said the situation was being monitored closely.",
	"{media} first reported the news, citing {official}.",
	"The announcement came {day}, hours after officials briefed reporters in {skplace}.",
	"{official} spoke on condition of anonymity because the matter is sensitive.",
	"It was not immediately clear how the decision would affect the talks planned for next month.",
	"Further details were expected to be released later in the week, {official} said.",
	"The report could not be independently verified.",
	"{newp}, a professor at {neworg}, said the move reflected a longer trend.",
	"Officials declined to comment on the matter when reached by phone.",
}
