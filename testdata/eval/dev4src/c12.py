from b1 import NK,SK,US,RU,UA,JP,CN,KCNA,JCS,KJU,PY,SE,NIS,UM,LJM
A=[
("N. Korea sends engineers to rebuild Kursk, state media confirms","2026-06-14",
"North Korea has sent 1,000 military engineers and 5,000 construction workers to Russia's Kursk region to clear mines and rebuild infrastructure destroyed in fighting, KCNA reported Saturday, quoting a party secretary. Russian Security Council Secretary Sergei Shoigu, visiting Pyongyang, said the deployment showed the \"invincible\" alliance between the two countries. Kim Jong-un received Shoigu and said the North would \"unconditionally\" support Russia.",
["north-korea","russia","ukraine-war","military","diplomacy"],[NK,RU,("L","Kursk"),KCNA,("O","Security Council of Russia","Security Council"),("P","Sergei Shoigu"),PY,KJU]),
("Yonhap: Foreign visitors to Korea hit record 18 mn","2026-12-01",
"The number of foreign visitors to South Korea reached a record 18 million in the first eleven months of the year, the Korea Tourism Organization said Tuesday. Chinese tourists led the increase after Seoul introduced visa-free entry for Chinese group tours in September. Visitors from Japan and Taiwan also grew. Tourism officials credited the popularity of Korean films and food. Spending per visitor fell slightly as more travelers chose budget trips.",
["economy"],[SK,("O","Korea Tourism Organization"),CN,SE,JP,("L","Taiwan")]),
("Balloon activists face charges under new aviation law","2026-12-03",
"Prosecutors indicted three activists on Thursday for sending leaflet balloons into North Korea in violation of an amended aviation safety law that bans unregistered balloon launches near the border. The activists, members of the group Voice of Liberty, sent 40 balloons from Ganghwa Island in October, prosecutors said. The unification ministry welcomed the indictment, saying the launches endangered border residents. The group called the charges \"political persecution.\"",
["leaflets","inter-korean"],[NK,("O","Voice of Liberty"),("L","Ganghwa Island","Ganghwa"),UM]),
("Chinese coast guard ships enter Japanese waters near Senkakus","2026-11-15",
"Four Chinese coast guard ships entered Japanese territorial waters near the Senkaku Islands on Sunday, the Japan Coast Guard said, the latest in a series of incursions amid a diplomatic row over Prime Minister Sanae Takaichi's remarks on Taiwan. Tokyo lodged a protest through diplomatic channels. Beijing, which calls the islands Diaoyu, said its ships were patrolling China's own waters. It was the 30th such intrusion this year, the Japanese coast guard said.",
["diplomacy"],[CN,("O","China Coast Guard","Chinese coast guard"),JP,("L","Senkaku Islands","Diaoyu"),("O","Japan Coast Guard"),("P","Sanae Takaichi"),("L","Taiwan"),("L","Tokyo"),("L","Beijing")]),
("Heavy rain triggers landslides in South Chungcheong","2026-07-17",
"Torrential rain triggered landslides and floods across South Chungcheong Province on Friday, killing four people and forcing 2,300 residents to evacuate, the interior ministry said. Up to 400 millimeters fell in Seosan and Dangjin in 24 hours. Soldiers were dispatched to help with rescue work. The Korea Meteorological Administration warned of more rain through the weekend. Rail services between Cheonan and Hongseong were suspended after tracks were flooded.",
[],[("L","South Chungcheong Province"),("O","Ministry of the Interior and Safety","interior ministry"),("L","Seosan"),("L","Dangjin"),("O","Korea Meteorological Administration"),("L","Cheonan"),("L","Hongseong")]),
]
