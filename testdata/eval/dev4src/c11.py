from b1 import NK,SK,US,RU,UA,JP,CN,KCNA,JCS,KJU,PY,SE,NIS,UM,LJM
A=[
("N. Korea says it tested new multiple rocket launcher","2026-12-02",
"North Korea test-fired an upgraded 240mm multiple rocket launcher system, KCNA said Wednesday, adding that the weapon would be deployed to frontline artillery units next year. Kim Jong-un watched the test and said the system would \"overwhelm\" enemy positions. South Korea's Joint Chiefs of Staff said it had detected the launches from Hwangju on Tuesday. Analysts say the North has supplied similar rockets to Russia.",
["north-korea","military"],[NK,KCNA,KJU,SK,JCS,("L","Hwangju"),RU]),
("Unification minister visits Panmunjom, proposes Red Cross talks","2026-09-30",
"Unification Minister Chung Dong-young proposed Red Cross talks with North Korea on reunions of separated families during a visit to the truce village of Panmunjom on Wednesday, ahead of the Chuseok holiday. \"Time is running out for the elderly who wish to see their families,\" Chung said. Only about 35,000 registered applicants are still alive. Pyongyang has not responded to previous proposals, and the last reunions were held in 2018 at Mount Kumgang.",
["inter-korean","south-korea","human-rights"],[("P","Chung Dong-young"),NK,("O","Red Cross"),("L","Panmunjom"),PY,("L","Mount Kumgang","Kumgangsan")]),
("Apple opens flagship store in Busan","2026-03-14",
"Apple opened its first store in Busan on Saturday, drawing hundreds of customers who lined up overnight in the Haeundae district. It is the company's eighth store in South Korea. The store features a large wooden canopy inspired by traditional Korean architecture. Analysts say Apple's smartphone market share in the country, long dominated by Samsung Electronics, has risen among young consumers. The company said it has hired about 100 staff for the new store.",
["economy"],[("O","Apple","Apple Inc."),("L","Busan"),("L","Haeundae"),SK,("O","Samsung Electronics")]),
("Russia, Ukraine negotiators meet in Istanbul; no ceasefire deal","2026-03-21",
"Russian and Ukrainian delegations met in Istanbul on Saturday for a third round of direct talks but failed to agree on a ceasefire, officials said. Kremlin aide Vladimir Medinsky led Moscow's team, while Ukraine was represented by Rustem Umerov. The sides agreed to another prisoner exchange. Turkish Foreign Minister Hakan Fidan said the talks were \"constructive\" but gaps remained on territory and on security guarantees.",
["ukraine-war","diplomacy","russia"],[RU,UA,("L","Istanbul"),("O","Kremlin"),("P","Vladimir Medinsky"),("L","Moscow"),("P","Rustem Umerov"),("L","Turkey","Turkish"),("P","Hakan Fidan")]),
("Olympic archer Lim Ha-eun retires at 27","2026-12-04",
"Olympic archer Lim Ha-eun announced her retirement on Friday, citing a persistent shoulder injury. The 27-year-old won team gold at the Paris Games in 2024 and two world championship titles, and was known for her calm under pressure in shoot-offs. The Korea Archery Association said it would hold a farewell ceremony. Lim said she would pursue coaching at her former high school in Gwangju, where she first picked up a bow at age 10.",
[],[("P","Lim Ha-eun"),("O","Korea Archery Association"),("L","Gwangju")]),
]
