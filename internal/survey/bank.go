package survey

// SampleBank returns the sample questionnaire: the classic knowledge items that literacy
// surveys around the world ask (the centre of the Earth is very hot, continents move,
// antibiotics do not kill viruses, electrons are smaller than atoms, the father's gene
// decides the baby's sex, …), written afresh in Kepu's own words, with items of method,
// spirit and application beside them so that every dimension of the 2024 national scheme is
// covered. Chinese and traditional Mongolian (Unicode U+1800–U+18AF); the Mongolian text is a
// plain working translation for the demo and should be reviewed by a translator before a
// real survey uses it.
func SampleBank() []Item {
	tf := func(dim, zh, mn string, truth bool) Item {
		a := 1
		if truth {
			a = 0
		}
		return Item{Kind: TrueFalse, Dimension: dim, Points: 1, Zh: zh, Mn: mn, Answer: []int{a}}
	}
	choice := func(kind, dim, zh, mn string, opts []Option, answer ...int) Item {
		return Item{Kind: kind, Dimension: dim, Points: 1, Zh: zh, Mn: mn, Options: opts, Answer: answer}
	}
	items := []Item{
		tf(Knowledge, "地球内部的中心温度非常高。", "ᠳᠡᠯᠡᠬᠡᠢ ᠶᠢᠨ ᠲᠥᠪ ᠨᠢ ᠮᠠᠰᠢ ᠬᠠᠯᠠᠭᠤᠨ ᠪᠠᠢᠳᠠᠭ᠃", true),
		tf(Knowledge, "我们居住的大陆几百万年来一直在缓慢移动，今后还会继续移动。", "ᠲᠢᠪ ᠦᠳ ᠰᠠᠶ᠎ᠠ ᠰᠠᠶ᠎ᠠ ᠵᠢᠯ ᠦᠨ ᠳᠤᠷᠠᠰ ᠠᠭᠠᠵᠢᠮ ᠬᠥᠳᠡᠯᠵᠦ ᠪᠠᠢᠨ᠎ᠠ᠃", true),
		tf(Knowledge, "抗生素能杀死病毒，所以感冒时吃抗生素就能好。", "ᠠᠨᠲᠢᠪᠢᠣᠲᠢᠺ ᠨᠢ ᠸᠢᠷᠦ᠋ᠰ ᠢ ᠦᠬᠦᠭᠡᠨ᠎ᠡ᠃", false),
		tf(Knowledge, "电子比原子小。", "ᠡᠯᠧᠺᠲ᠋ᠷᠣᠨ ᠨᠢ ᠠᠲ᠋ᠣᠮ ᠠᠴᠠ ᠵᠢᠵᠢᠭ᠃", true),
		tf(Knowledge, "孩子是男是女，由父亲的基因决定。", "ᠬᠡᠦᠬᠡᠳ ᠦᠨ ᠡᠷᠡ ᠡᠮᠡ ᠶᠢ ᠡᠴᠢᠭᠡ ᠶᠢᠨ ᠭᠧᠨ ᠲᠣᠭᠲᠠᠭᠠᠨ᠎ᠠ᠃", true),
		tf(Knowledge, "最早的人类和恐龙生活在同一个时代。", "ᠬᠠᠮᠤᠭ ᠤᠨ ᠡᠷᠲᠡ ᠶᠢᠨ ᠬᠦᠮᠦᠨ ᠦᠯᠦ ᠭᠦᠷᠪᠡᠯ ᠬᠠᠮᠲᠤ ᠠᠮᠢᠳᠤᠷᠠᠵᠤ ᠪᠠᠢᠭᠰᠠᠨ᠃", false),
		tf(Knowledge, "激光是由声波汇聚而成的。", "ᠯᠠᠽᠧᠷ ᠨᠢ ᠳᠠᠭᠤᠨ ᠤ ᠳᠣᠯᠭᠢᠶᠠᠨ ᠠᠴᠠ ᠪᠦᠷᠢᠯᠳᠦᠳᠡᠭ᠃", false),
		tf(Knowledge, "所有的放射性都是人为制造出来的。", "ᠪᠦᠬᠦ ᠴᠠᠴᠠᠷᠠᠯ ᠢ ᠬᠦᠮᠦᠨ ᠪᠦᠲᠦᠭᠡᠳᠡᠭ᠃", false),
		tf(Knowledge, "今天的人类是由更早期的物种演化而来的。", "ᠥᠨᠥᠳᠦᠭᠡ ᠶᠢᠨ ᠬᠦᠮᠦᠨ ᠨᠢ ᠡᠷᠲᠡ ᠶᠢᠨ ᠠᠮᠢᠲᠠᠨ ᠠᠴᠠ ᠬᠦᠭᠵᠢᠵᠦ ᠢᠷᠡᠭᠰᠡᠨ᠃", true),
		choice(Single, Knowledge, "地球绕太阳转一圈需要多长时间？", "ᠳᠡᠯᠡᠬᠡᠢ ᠨᠠᠷᠠ ᠶᠢ ᠨᠢᠭᠡ ᠲᠣᠢᠷᠢᠬᠤ ᠳᠤ ᠬᠡᠳᠦᠢ ᠬᠤᠭᠤᠴᠠᠭ᠎ᠠ ᠪᠣᠯᠬᠤ ᠪᠤᠢ？",
			[]Option{{"一天", "ᠨᠢᠭᠡ ᠡᠳᠦᠷ"}, {"一个月", "ᠨᠢᠭᠡ ᠰᠠᠷ᠎ᠠ"}, {"一年", "ᠨᠢᠭᠡ ᠵᠢᠯ"}}, 2),
		choice(Single, Method, "要检验一种新药是否有效，下面哪种做法最可靠？", "ᠰᠢᠨ᠎ᠡ ᠡᠮ ᠦᠨ ᠦᠢᠯᠡᠳᠦᠯ ᠢ ᠶᠠᠮᠠᠷ ᠠᠷᠭ᠎ᠠ ᠪᠠᠷ ᠰᠢᠯᠭᠠᠬᠤ ᠨᠢ ᠬᠠᠮᠤᠭ ᠦᠨ ᠨᠠᠶᠢᠳᠠᠪᠤᠷᠢᠲᠠᠢ ᠪᠤᠢ？",
			[]Option{{"给所有病人都用新药，看有多少人好转", "ᠪᠦᠬᠦ ᠡᠪᠡᠳᠴᠢᠨ ᠳᠦ ᠰᠢᠨ᠎ᠡ ᠡᠮ ᠥᠭᠬᠦ"},
				{"把病人随机分成两组，一组用新药、一组不用，比较两组", "ᠡᠪᠡᠳᠴᠢᠨ ᠢ ᠲᠠᠰᠤᠷᠠᠯᠲᠠᠢ ᠬᠣᠶᠠᠷ ᠪᠦᠯᠦᠭ ᠬᠤᠪᠢᠶᠠᠵᠤ ᠬᠠᠷᠢᠴᠠᠭᠤᠯᠬᠤ"},
				{"请一位有名的医生说说看法", "ᠨᠡᠷᠡᠲᠡᠢ ᠡᠮᠴᠢ ᠶᠢᠨ ᠰᠠᠨᠠᠯ ᠢ ᠠᠰᠠᠭᠤᠬᠤ"}}, 1),
		choice(Single, Method, "医生告诉一对夫妇：他们的每个孩子都有四分之一的可能患某种遗传病。已经有三个孩子健康，第四个孩子患病的可能是多少？",
			"ᠬᠡᠦᠬᠡᠳ ᠪᠦᠷᠢ ᠳᠦᠷᠪᠡᠨ ᠦ ᠨᠢᠭᠡ ᠦᠨ ᠮᠠᠭᠠᠳ ᠲᠠᠢ ᠥᠪᠡᠳᠡᠨ᠎ᠡ᠃ ᠳᠥᠷᠪᠡᠳᠦᠭᠡᠷ ᠬᠡᠦᠬᠡᠳ ᠦᠨ ᠮᠠᠭᠠᠳ ᠨᠢ？",
			[]Option{{"仍然是四分之一", "ᠳᠦᠷᠪᠡᠨ ᠦ ᠨᠢᠭᠡ ᠬᠡᠪᠡᠷ"}, {"一定会患病", "ᠡᠷᠬᠡᠪᠰᠢ ᠥᠪᠡᠳᠡᠨ᠎ᠡ"}, {"一定不会患病", "ᠡᠷᠬᠡᠪᠰᠢ ᠥᠪᠡᠳᠡᠬᠦ ᠦᠭᠡᠢ"}}, 0),
		choice(Multi, Method, "做实验时，哪些做法能让结论更可信？（可多选）", "ᠲᠤᠷᠰᠢᠯᠲᠠ ᠶᠢᠨ ᠳᠦᠭᠦᠮ ᠢ ᠶᠠᠮᠠᠷ ᠠᠷᠭ᠎ᠠ ᠨᠠᠶᠢᠳᠠᠪᠤᠷᠢᠲᠠᠢ ᠪᠣᠯᠭᠠᠬᠤ ᠪᠤᠢ？",
			[]Option{{"多次重复实验", "ᠣᠯᠠᠨ ᠤᠳᠠᠭ᠎ᠠ ᠳᠠᠪᠬᠤᠷ ᠲᠤᠷᠰᠢᠬᠤ"}, {"设置对照组", "ᠬᠠᠷᠢᠴᠠᠭᠤᠯᠬᠤ ᠪᠦᠯᠦᠭ ᠲᠠᠢ ᠪᠠᠢᠬᠤ"}, {"只记录符合预想的数据", "ᠵᠥᠪᠬᠡᠨ ᠲᠠᠭᠠᠮᠠᠭᠯᠠᠯ ᠳᠤ ᠲᠣᠬᠢᠷᠠᠬᠤ ᠲᠣᠭ᠎ᠠ ᠶᠢ ᠪᠢᠴᠢᠬᠦ"}}, 0, 1),
		tf(Spirit, "新的可靠证据出现时，科学结论可以被修正。", "ᠰᠢᠨ᠎ᠡ ᠨᠣᠭᠲᠠᠯᠭ᠎ᠠ ᠭᠠᠷᠪᠠᠯ ᠰᠢᠨᠵᠢᠯᠡᠬᠦ ᠳᠦᠭᠦᠮ ᠢ ᠵᠠᠰᠠᠵᠤ ᠪᠣᠯᠤᠨ᠎ᠠ᠃", true),
		choice(Single, Spirit, "一种保健品的广告说它“包治百病”，科学的态度是：", "ᠪᠦᠬᠦ ᠥᠪᠡᠳᠴᠢᠨ ᠢ ᠡᠮᠨᠡᠨ᠎ᠡ ᠭᠡᠰᠡᠨ ᠵᠠᠷ ᠢ ᠶᠠᠮᠠᠷ ᠬᠠᠨᠳᠤᠯᠭ᠎ᠠ ᠪᠠᠷ ᠦᠵᠡᠬᠦ ᠪᠤᠢ？",
			[]Option{{"广告上说的就可以相信", "ᠵᠠᠷ ᠢ ᠰᠢᠭᠤᠳ ᠢᠯᠠᠭᠤ ᠢᠲᠡᠭᠡᠬᠦ"}, {"看它有没有可靠的研究证据", "ᠨᠠᠶᠢᠳᠠᠪᠤᠷᠢᠲᠠᠢ ᠨᠣᠭᠲᠠᠯᠭ᠎ᠠ ᠪᠠᠢᠭ᠎ᠠ ᠡᠰᠡᠬᠦ ᠶᠢ ᠰᠢᠯᠭᠠᠬᠤ"},
				{"先多买几盒试试", "ᠣᠯᠠᠨ ᠬᠠᠢᠷᠴᠠᠭ ᠠᠪᠴᠤ ᠲᠤᠷᠰᠢᠬᠤ"}}, 1),
		tf(Spirit, "同一件事，亲友转发得越多，就越可能是真的。", "ᠨᠠᠢᠵᠢ ᠨᠥᠬᠦᠳ ᠣᠯᠠᠨ ᠳᠠᠮᠵᠢᠭᠤᠯᠪᠠᠯ ᠲᠡᠷᠡ ᠨᠢ ᠦᠨᠡᠨ ᠪᠣᠯᠤᠨ᠎ᠠ᠃", false),
		choice(Multi, Application, "雷雨天在草原上，应当怎样做？（可多选）", "ᠠᠳᠠᠭᠠᠨ ᠪᠣᠷᠤᠭᠠᠨ ᠳᠤ ᠬᠡᠭᠡᠷ᠎ᠡ ᠳᠡᠭᠡᠷ᠎ᠡ ᠶᠠᠭᠠᠬᠤ ᠪᠤᠢ？",
			[]Option{{"远离孤立的大树和电线杆", "ᠭᠠᠭᠴᠠ ᠮᠣᠳᠤ ᠠᠴᠠ ᠬᠣᠯᠠ ᠪᠠᠢᠬᠤ"}, {"在空旷处打手机", "ᠡᠯᠡᠭᠡᠨ ᠭᠠᠵᠠᠷ ᠲᠤ ᠤᠲᠠᠰᠤ ᠶᠠᠷᠢᠬᠤ"},
				{"双脚并拢蹲下，降低身体", "ᠬᠣᠶᠠᠷ ᠬᠥᠯ ᠢᠶᠡᠨ ᠨᠡᠢᠯᠡᠭᠦᠯᠵᠦ ᠰᠠᠭᠤᠬᠤ"}, {"骑马快速奔跑", "ᠮᠣᠷᠢ ᠤᠨᠤᠵᠤ ᠬᠤᠷᠳᠤᠨ ᠳᠠᠪᠢᠬᠤ"}}, 0, 2),
		choice(Single, Application, "闻到家里有燃气泄漏的气味，首先应当：", "ᠭᠡᠷ ᠲᠦ ᠬᠢ ᠶᠢᠨ ᠦᠨᠦᠷ ᠭᠠᠷᠪᠠᠯ ᠡᠬᠢᠯᠡᠭᠡᠳ ᠶᠠᠭᠤ ᠬᠢᠬᠦ ᠪᠤᠢ？",
			[]Option{{"开灯查看", "ᠭᠡᠷᠡᠯ ᠠᠰᠠᠭᠠᠬᠤ"}, {"关闭阀门，开窗通风，到室外再打电话", "ᠬᠠᠪᠬᠠᠭ ᠢ ᠬᠠᠭᠠᠵᠤ ᠴᠣᠩᠬᠤ ᠨᠡᠭᠡᠭᠡᠬᠦ"},
				{"在屋里打电话求助", "ᠭᠡᠷ ᠲᠦ ᠤᠲᠠᠰᠤ ᠶᠠᠷᠢᠬᠤ"}}, 1),
		tf(Application, "饮用未经消毒的生鲜牛奶和羊奶，可能感染布鲁氏菌病。", "ᠪᠢᠴᠢᠯ ᠰᠦᠦ ᠤᠤᠬᠤ ᠨᠢ ᠪᠷᠤᠼᠧᠯᠢᠣᠽ ᠥᠪᠡᠳᠴᠢᠨ ᠬᠦᠷᠭᠡᠵᠦ ᠮᠡᠳᠡᠨ᠎ᠡ᠃", true),
	}
	for i := range items {
		items[i].Position = i + 1
	}
	return items
}
